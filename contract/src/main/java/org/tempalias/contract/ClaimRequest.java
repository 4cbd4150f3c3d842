package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Ask for one use of an alias for a mail transaction that is about to be relayed. The use is held
 * (in flight) until settled; a claim never settled is released by the store after its lease.
 *
 * @param aid           the alias id, lower case (the local part of the recipient)
 * @param transactionId the gateway's transaction id, for logs
 */
public record ClaimRequest(String aid, String transactionId) {
  private static final String AID = "aid";
  private static final String TRANSACTION = "transactionId";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(TRANSACTION, transactionId);
  }

  public static ClaimRequest fromJson(JsonObject json) {
    return new ClaimRequest(json.getString(AID), json.getString(TRANSACTION));
  }
}
