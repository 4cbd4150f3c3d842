package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * The relay's answer to {@link RelayOp#END}: the reply for the client and whether the fate of the
 * message is known. {@code outcomeKnown} is false when the final dot went out but no reply came
 * back (timeout, connection lost): the smarthost may have the message, so whoever counts uses must
 * count it as delivered.
 */
public record FinalReply(SmtpReply reply, boolean outcomeKnown) {
  private static final String REPLY = "reply";
  private static final String KNOWN = "outcomeKnown";

  public JsonObject toJson() {
    return new JsonObject().put(REPLY, reply.toJson()).put(KNOWN, outcomeKnown);
  }

  public static FinalReply fromJson(JsonObject json) {
    return new FinalReply(SmtpReply.fromJson(json.getJsonObject(REPLY)), json.getBoolean(KNOWN, false));
  }
}
