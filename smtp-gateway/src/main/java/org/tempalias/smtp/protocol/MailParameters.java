package org.tempalias.smtp.protocol;

import java.util.Locale;
import java.util.Map;

/**
 * The MAIL FROM parameters we support: SIZE (RFC 1870), BODY (RFC 6152) and SMTPUTF8 (RFC 6531).
 *
 * @param size     the declared size, 0 when none was given
 * @param body     "7BIT" or "8BITMIME", null when none was given
 * @param smtputf8 whether SMTPUTF8 was given
 */
public record MailParameters(long size, String body, boolean smtputf8) {

  public static final MailParameters NONE = new MailParameters(0, null, false);

  /** @throws IllegalArgumentException for an unknown parameter or a bad value (555 5.5.4) */
  public static MailParameters of(Map<String, String> params) {
    long size = 0;
    String body = null;
    boolean utf8 = false;
    for (Map.Entry<String, String> e : params.entrySet()) {
      String value = e.getValue();
      switch (e.getKey()) {
        case "SIZE" -> size = size(value);
        case "BODY" -> {
          String v = value == null ? "" : value.toUpperCase(Locale.ROOT);
          if (!v.equals("7BIT") && !v.equals("8BITMIME")) {
            throw new IllegalArgumentException("BODY must be 7BIT or 8BITMIME");
          }
          body = v;
        }
        case "SMTPUTF8" -> {
          if (value != null) {
            throw new IllegalArgumentException("SMTPUTF8 takes no value");
          }
          utf8 = true;
        }
        default -> throw new IllegalArgumentException("unsupported parameter " + e.getKey());
      }
    }
    return new MailParameters(size, body, utf8);
  }

  private static long size(String value) {
    // RFC 1870 §3: size-value ::= 1*20DIGIT
    if (value == null || value.isEmpty() || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("SIZE must be a number");
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }
}
