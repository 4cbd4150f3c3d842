package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A new alias. {@code updateKey} is the only time the secret leaves the store: only its hash is
 * kept; likewise {@code confirmToken}.
 *
 * @param expiresAtMillis epoch millis of the time limit, 0 when there is none
 * @param maxUsage        0 when there is no use limit
 * @param confirmed       whether its target has confirmed (else the alias waits, and is gone if the
 *                        target does not confirm in time)
 * @param confirmToken    set when a confirmation mail to the target is due now: the token of its
 *                        link; null otherwise (confirmed, or a mail went out recently)
 */
public record CreatedAlias(
    String aid, String target, long createdAtMillis, long expiresAtMillis, int maxUsage, String updateKey,
    boolean confirmed, String confirmToken) {

  /** A confirmed alias (no confirmation step). */
  public CreatedAlias(String aid, String target, long createdAtMillis, long expiresAtMillis, int maxUsage,
      String updateKey) {
    this(aid, target, createdAtMillis, expiresAtMillis, maxUsage, updateKey, true, null);
  }
  private static final String AID = "aid";
  private static final String TARGET = "target";
  private static final String CREATED = "createdAtMillis";
  private static final String EXPIRES = "expiresAtMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String UPDATE_KEY = "updateKey";
  private static final String CONFIRMED = "confirmed";
  private static final String CONFIRM_TOKEN = "confirmToken";

  public JsonObject toJson() {
    return new JsonObject()
        .put(AID, aid)
        .put(TARGET, target)
        .put(CREATED, createdAtMillis)
        .put(EXPIRES, expiresAtMillis)
        .put(MAX_USAGE, maxUsage)
        .put(UPDATE_KEY, updateKey)
        .put(CONFIRMED, confirmed)
        .put(CONFIRM_TOKEN, confirmToken);
  }

  public static CreatedAlias fromJson(JsonObject json) {
    return new CreatedAlias(
        json.getString(AID),
        json.getString(TARGET),
        json.getLong(CREATED, 0L),
        json.getLong(EXPIRES, 0L),
        json.getInteger(MAX_USAGE, 0),
        json.getString(UPDATE_KEY),
        json.getBoolean(CONFIRMED, true),
        json.getString(CONFIRM_TOKEN));
  }
}
