package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Renew an alias: new limits, each counted from now. A null field leaves that limit as it is.
 *
 * @param aid            the alias id
 * @param updateKey      the key that proves the caller owns it
 * @param lifetimeMillis the alias expires this long from now; 0 removes the time limit (only while
 *                       a use limit remains)
 * @param usesLeft       this many more messages may be forwarded (uses in flight are kept on top);
 *                       0 removes the use limit (only while a time limit remains)
 */
public record AliasUpdate(String aid, String updateKey, Long lifetimeMillis, Integer usesLeft) {
  private static final String AID = "aid";
  private static final String UPDATE_KEY = "updateKey";
  private static final String LIFETIME = "lifetimeMillis";
  private static final String USES_LEFT = "usesLeft";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(UPDATE_KEY, updateKey).put(LIFETIME, lifetimeMillis)
        .put(USES_LEFT, usesLeft);
  }

  public static AliasUpdate fromJson(JsonObject json) {
    return new AliasUpdate(json.getString(AID), json.getString(UPDATE_KEY), json.getLong(LIFETIME),
        json.getInteger(USES_LEFT));
  }
}
