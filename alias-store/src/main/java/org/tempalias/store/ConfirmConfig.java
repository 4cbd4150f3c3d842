package org.tempalias.store;

import io.vertx.core.json.JsonObject;

/**
 * The top-level {@code confirm} section as the store reads it.
 *
 * @param required      whether targets must confirm before their aliases forward
 * @param validDays     how long a confirmation lasts (renewed whenever the target confirms again)
 * @param pendingHours  how long an alias waits for its target before it is gone
 * @param resendMinutes at most one confirmation mail per target in this time
 * @param mailsPerDay   at most this many confirmation mails per target a day
 * @param secretFile    the key of the targets' keyed hash (one line); null: a random one per run
 */
record ConfirmConfig(boolean required, int validDays, double pendingHours, double resendMinutes, int mailsPerDay,
    String secretFile) {
  static final String SECTION = "confirm";

  static ConfirmConfig from(JsonObject config) {
    Object raw = config == null ? null : config.getValue(SECTION);
    if (raw != null && !(raw instanceof JsonObject)) {
      throw new IllegalArgumentException("confirm: must be an object");
    }
    JsonObject c = raw == null ? new JsonObject() : (JsonObject) raw;
    String file = c.getString("secretFile");
    return new ConfirmConfig(
        bool(c, "required", true),
        number(c, "validDays", 365, 1, 36_500),
        decimal(c, "pendingHours", 72, 8_760),
        decimal(c, "resendMinutes", 60, 100_000),
        number(c, "mailsPerDay", 3, 1, 100),
        file == null || file.isBlank() ? null : file.trim());
  }

  long validMillis() {
    return validDays * 86_400_000L;
  }

  long pendingMillis() {
    return Math.max(1, Math.round(pendingHours * 3_600_000d));
  }

  long resendMillis() {
    return Math.max(1, Math.round(resendMinutes * 60_000d));
  }

  private static boolean bool(JsonObject c, String key, boolean dflt) {
    Object v = c.getValue(key);
    if (v == null) {
      return dflt;
    }
    String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
    if (!s.equals("true") && !s.equals("false")) {
      throw new IllegalArgumentException("confirm." + key + ": expected true or false, got " + v);
    }
    return s.equals("true");
  }

  /** A positive number, fractions allowed ("0.5" hours). */
  private static double decimal(JsonObject c, String key, double dflt, double max) {
    Object v = c.getValue(key);
    if (v == null) {
      return dflt;
    }
    double d;
    try {
      d = Double.parseDouble(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("confirm." + key + ": expected a number, got " + v);
    }
    if (!(d > 0) || d > max) {
      throw new IllegalArgumentException("confirm." + key + ": must be above 0 and at most " + (long) max);
    }
    return d;
  }

  private static int number(JsonObject c, String key, int dflt, int min, int max) {
    Object v = c.getValue(key);
    if (v == null) {
      return dflt;
    }
    long n;
    try {
      n = Long.parseLong(v.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("confirm." + key + ": expected a whole number, got " + v);
    }
    if (n < min || n > max) {
      throw new IllegalArgumentException("confirm." + key + ": must be between " + min + " and " + max);
    }
    return (int) n;
  }
}
