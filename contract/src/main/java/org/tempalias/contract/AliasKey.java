package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/** An alias id with the update key that proves the caller owns it (for get and delete). */
public record AliasKey(String aid, String updateKey) {
  private static final String AID = "aid";
  private static final String UPDATE_KEY = "updateKey";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(UPDATE_KEY, updateKey);
  }

  public static AliasKey fromJson(JsonObject json) {
    return new AliasKey(json.getString(AID), json.getString(UPDATE_KEY));
  }
}
