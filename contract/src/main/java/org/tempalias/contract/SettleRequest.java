package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Close a claim: USED after the smarthost accepted the message (the use is spent, the forwarded
 * count grows, an alias whose last use is spent is deleted), RELEASED on any failure (the use is
 * given back).
 */
public record SettleRequest(String aid, String claimId, Settlement settlement) {
  public enum Settlement { USED, RELEASED }

  private static final String AID = "aid";
  private static final String CLAIM_ID = "claimId";
  private static final String SETTLEMENT = "settlement";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(CLAIM_ID, claimId).put(SETTLEMENT, settlement.name());
  }

  public static SettleRequest fromJson(JsonObject json) {
    return new SettleRequest(
        json.getString(AID), json.getString(CLAIM_ID), Settlement.valueOf(json.getString(SETTLEMENT)));
  }
}
