package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * @param settled false when the claim was no longer open (already settled, or released because
 *                its lease ran out, or the alias was deleted meanwhile)
 */
public record SettleReply(boolean settled) {
  private static final String SETTLED = "settled";

  public JsonObject toJson() {
    return new JsonObject().put(SETTLED, settled);
  }

  public static SettleReply fromJson(JsonObject json) {
    return new SettleReply(json.getBoolean(SETTLED, false));
  }
}
