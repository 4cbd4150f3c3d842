package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Ask for one use of an alias for a mail transaction that is about to be relayed. The use is held
 * (in flight) while the claim is renewed ({@link StoreAddress#RENEW}) and until it is committed and
 * settled; a claim left alone is released by the store when its lease passes.
 *
 * @param aid           the alias id, lower case (the local part of the recipient)
 * @param claimId       the caller's name for the claim (random, URL-safe, at most 64 characters),
 *                      so that it can release a claim whose answer it never got; null lets the
 *                      store pick one
 * @param transactionId the gateway's transaction id, for logs
 * @param senderDomain  the envelope sender's domain as {@link SenderLock#senderDomain} gives it,
 *                      "" for the null sender; a locked alias refuses a sender it does not allow
 *                      (null counts as "")
 */
public record ClaimRequest(String aid, String claimId, String transactionId, String senderDomain) {
  private static final String AID = "aid";
  private static final String CLAIM_ID = "claimId";
  private static final String TRANSACTION = "transactionId";
  private static final String SENDER_DOMAIN = "senderDomain";

  /** A claim the store names. */
  public ClaimRequest(String aid, String transactionId) {
    this(aid, null, transactionId, null);
  }

  public ClaimRequest(String aid, String claimId, String transactionId) {
    this(aid, claimId, transactionId, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(CLAIM_ID, claimId).put(TRANSACTION, transactionId)
        .put(SENDER_DOMAIN, senderDomain);
  }

  public static ClaimRequest fromJson(JsonObject json) {
    return new ClaimRequest(json.getString(AID), json.getString(CLAIM_ID), json.getString(TRANSACTION),
        json.getString(SENDER_DOMAIN));
  }
}
