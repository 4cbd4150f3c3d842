package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * One claim, named for a renewal ({@link StoreAddress#RENEW}: its lease starts again) or a commit
 * ({@link StoreAddress#COMMIT}: the last check before the final dot goes upstream).
 *
 * @param holdMillis for a commit: how long the store waits for the settlement before it counts
 *                   the use as spent (the final dot went out and nobody said what became of it);
 *                   ignored by a renewal
 */
public record ClaimRef(String aid, String claimId, long holdMillis) {
  private static final String AID = "aid";
  private static final String CLAIM_ID = "claimId";
  private static final String HOLD = "holdMillis";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(CLAIM_ID, claimId).put(HOLD, holdMillis);
  }

  public static ClaimRef fromJson(JsonObject json) {
    return new ClaimRef(json.getString(AID), json.getString(CLAIM_ID), json.getLong(HOLD, 0L));
  }
}
