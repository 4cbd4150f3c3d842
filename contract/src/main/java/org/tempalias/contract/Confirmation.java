package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * What a confirmation link stands for: the alias whose creation sent it (no target, no client
 * address), and where the target stands now.
 *
 * @param state              PENDING (not decided yet), CONFIRMED or BLOCKED
 * @param requestedAtMillis  when the alias was made
 * @param expiresAtMillis    the alias's time limit, 0 for none
 * @param maxUsage           the alias's use limit, 0 for none
 * @param waitingAliases     how many aliases of this target wait for the decision
 * @param linkExpiresAtMillis until when the link can be used
 */
public record Confirmation(State state, String aid, long requestedAtMillis, long expiresAtMillis, int maxUsage,
    int waitingAliases, long linkExpiresAtMillis) {
  public enum State { PENDING, CONFIRMED, BLOCKED }

  private static final String STATE = "state";
  private static final String AID = "aid";
  private static final String REQUESTED = "requestedAtMillis";
  private static final String EXPIRES = "expiresAtMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String WAITING = "waitingAliases";
  private static final String LINK_EXPIRES = "linkExpiresAtMillis";

  public JsonObject toJson() {
    return new JsonObject().put(STATE, state.name()).put(AID, aid).put(REQUESTED, requestedAtMillis)
        .put(EXPIRES, expiresAtMillis).put(MAX_USAGE, maxUsage).put(WAITING, waitingAliases)
        .put(LINK_EXPIRES, linkExpiresAtMillis);
  }

  public static Confirmation fromJson(JsonObject json) {
    return new Confirmation(State.valueOf(json.getString(STATE)), json.getString(AID), json.getLong(REQUESTED, 0L),
        json.getLong(EXPIRES, 0L), json.getInteger(MAX_USAGE, 0), json.getInteger(WAITING, 0),
        json.getLong(LINK_EXPIRES, 0L));
  }
}
