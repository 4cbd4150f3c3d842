package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * The store's answer to a {@link ClaimRequest}.
 *
 * @param outcome    CLAIMED (then {@code claimId}, {@code target} and {@code leaseMillis} are set),
 *                   UNKNOWN (no such alias, expired or used up: a permanent refusal; also a claim id
 *                   its caller had already released) or BUSY (every remaining use is held by an open
 *                   transaction: the outcome is still open, so a temporary refusal) or PENDING (the
 *                   alias's target has not confirmed yet: a temporary refusal, the sender retries) or
 *                   SENDER_REFUSED (the alias's sender lock does not allow this sender: permanent,
 *                   and no use was taken)
 * @param leaseMillis how long the claim holds without a renewal; renew well before (a third of it)
 */
public record ClaimReply(Outcome outcome, String claimId, String target, long leaseMillis) {
  public enum Outcome { CLAIMED, UNKNOWN, BUSY, PENDING, SENDER_REFUSED }

  private static final String OUTCOME = "outcome";
  private static final String CLAIM_ID = "claimId";
  private static final String TARGET = "target";
  private static final String LEASE = "leaseMillis";

  public static ClaimReply claimed(String claimId, String target, long leaseMillis) {
    return new ClaimReply(Outcome.CLAIMED, claimId, target, leaseMillis);
  }

  public static ClaimReply unknown() {
    return new ClaimReply(Outcome.UNKNOWN, null, null, 0);
  }

  public static ClaimReply pending() {
    return new ClaimReply(Outcome.PENDING, null, null, 0);
  }

  public static ClaimReply senderRefused() {
    return new ClaimReply(Outcome.SENDER_REFUSED, null, null, 0);
  }

  public static ClaimReply busy() {
    return new ClaimReply(Outcome.BUSY, null, null, 0);
  }

  public JsonObject toJson() {
    return new JsonObject().put(OUTCOME, outcome.name()).put(CLAIM_ID, claimId).put(TARGET, target)
        .put(LEASE, leaseMillis);
  }

  public static ClaimReply fromJson(JsonObject json) {
    return new ClaimReply(Outcome.valueOf(json.getString(OUTCOME)), json.getString(CLAIM_ID),
        json.getString(TARGET), json.getLong(LEASE, 0L));
  }
}
