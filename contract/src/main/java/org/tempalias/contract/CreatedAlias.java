package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A new alias. {@code updateKey} is the only time the secret leaves the store: only its hash is
 * kept.
 *
 * @param expiresAtMillis epoch millis of the time limit, 0 when there is none
 * @param maxUsage        0 when there is no use limit
 */
public record CreatedAlias(
    String aid, String target, long createdAtMillis, long expiresAtMillis, int maxUsage, String updateKey) {
  private static final String AID = "aid";
  private static final String TARGET = "target";
  private static final String CREATED = "createdAtMillis";
  private static final String EXPIRES = "expiresAtMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String UPDATE_KEY = "updateKey";

  public JsonObject toJson() {
    return new JsonObject()
        .put(AID, aid)
        .put(TARGET, target)
        .put(CREATED, createdAtMillis)
        .put(EXPIRES, expiresAtMillis)
        .put(MAX_USAGE, maxUsage)
        .put(UPDATE_KEY, updateKey);
  }

  public static CreatedAlias fromJson(JsonObject json) {
    return new CreatedAlias(
        json.getString(AID),
        json.getString(TARGET),
        json.getLong(CREATED, 0L),
        json.getLong(EXPIRES, 0L),
        json.getInteger(MAX_USAGE, 0),
        json.getString(UPDATE_KEY));
  }
}
