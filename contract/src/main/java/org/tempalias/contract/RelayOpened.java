package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * The relay's answer to {@link RelayOpen}: the smarthost's reply to MAIL FROM (or a 4xx of the
 * relay's own when it could not reach the smarthost) and, when that reply is positive, the
 * transaction address for the following {@link RelayOp} steps. That address is always
 * {@link RelayAddress#TRANSACTION_PREFIX} + {@link RelayOpen#transactionId()}; it is null when the
 * reply is not positive (the relay has unregistered it again).
 */
public record RelayOpened(SmtpReply reply, String address) {
  private static final String REPLY = "reply";
  private static final String ADDRESS = "address";

  public JsonObject toJson() {
    return new JsonObject().put(REPLY, reply.toJson()).put(ADDRESS, address);
  }

  public static RelayOpened fromJson(JsonObject json) {
    return new RelayOpened(SmtpReply.fromJson(json.getJsonObject(REPLY)), json.getString(ADDRESS));
  }
}
