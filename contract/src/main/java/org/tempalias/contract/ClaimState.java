package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * What became of a claim, as the store answers a renewal or a commit.
 *
 * @param state HELD: the claim holds its use (renewed, or committed); LAPSED: the claim is no longer
 *              held (its lease passed, it was settled, or it never existed) while the alias lives;
 *              GONE: the alias is gone (deleted, expired, used up)
 */
public record ClaimState(State state) {
  public enum State { HELD, LAPSED, GONE }

  private static final String STATE = "state";

  public JsonObject toJson() {
    return new JsonObject().put(STATE, state.name());
  }

  public static ClaimState fromJson(JsonObject json) {
    return new ClaimState(State.valueOf(json.getString(STATE)));
  }
}
