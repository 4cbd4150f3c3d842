package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A confirmation link's token, and what its holder decided (null: nothing yet, just show it).
 */
public record ConfirmationRequest(String token, Decision decision) {
  public enum Decision { CONFIRM, BLOCK }

  private static final String TOKEN = "token";
  private static final String DECISION = "decision";

  public JsonObject toJson() {
    return new JsonObject().put(TOKEN, token).put(DECISION, decision == null ? null : decision.name());
  }

  public static ConfirmationRequest fromJson(JsonObject json) {
    String decision = json.getString(DECISION);
    return new ConfirmationRequest(json.getString(TOKEN), decision == null ? null : Decision.valueOf(decision));
  }
}
