package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Close a claim: USED after the smarthost accepted the message (the use is spent, the forwarded
 * count grows, an alias whose last use is spent is deleted), RELEASED on any failure (the use is
 * given back).
 *
 * @param senderDomain the transaction's sender domain ({@link ClaimRequest#senderDomain}): a USED
 *                     settlement of a first-sender lock not yet set locks the alias to it; may be null
 */
public record SettleRequest(String aid, String claimId, Settlement settlement, String senderDomain) {
  public enum Settlement { USED, RELEASED }

  private static final String AID = "aid";
  private static final String CLAIM_ID = "claimId";
  private static final String SETTLEMENT = "settlement";
  private static final String SENDER_DOMAIN = "senderDomain";

  public SettleRequest(String aid, String claimId, Settlement settlement) {
    this(aid, claimId, settlement, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(CLAIM_ID, claimId).put(SETTLEMENT, settlement.name())
        .put(SENDER_DOMAIN, senderDomain);
  }

  public static SettleRequest fromJson(JsonObject json) {
    return new SettleRequest(json.getString(AID), json.getString(CLAIM_ID),
        Settlement.valueOf(json.getString(SETTLEMENT)), json.getString(SENDER_DOMAIN));
  }
}
