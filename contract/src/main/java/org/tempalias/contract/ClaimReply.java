package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * The store's answer to a {@link ClaimRequest}.
 *
 * @param outcome CLAIMED (then {@code claimId} and {@code target} are set), UNKNOWN (no such alias,
 *                expired or used up: a permanent refusal) or BUSY (every remaining use is held by an
 *                open transaction: the outcome is still open, so a temporary refusal)
 */
public record ClaimReply(Outcome outcome, String claimId, String target) {
  public enum Outcome { CLAIMED, UNKNOWN, BUSY }

  private static final String OUTCOME = "outcome";
  private static final String CLAIM_ID = "claimId";
  private static final String TARGET = "target";

  public static ClaimReply claimed(String claimId, String target) {
    return new ClaimReply(Outcome.CLAIMED, claimId, target);
  }

  public static ClaimReply unknown() {
    return new ClaimReply(Outcome.UNKNOWN, null, null);
  }

  public static ClaimReply busy() {
    return new ClaimReply(Outcome.BUSY, null, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put(OUTCOME, outcome.name()).put(CLAIM_ID, claimId).put(TARGET, target);
  }

  public static ClaimReply fromJson(JsonObject json) {
    return new ClaimReply(
        Outcome.valueOf(json.getString(OUTCOME)), json.getString(CLAIM_ID), json.getString(TARGET));
  }
}
