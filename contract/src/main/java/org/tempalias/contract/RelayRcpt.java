package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/** One forward path for a relay transaction: the expanded alias target, validated at creation. */
public record RelayRcpt(String recipient) {
  private static final String RECIPIENT = "recipient";

  public JsonObject toJson() {
    return new JsonObject().put(RECIPIENT, recipient);
  }

  public static RelayRcpt fromJson(JsonObject json) {
    return new RelayRcpt(json.getString(RECIPIENT));
  }
}
