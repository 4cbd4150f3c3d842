package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * The relay's answer to {@link RelayOpen}: the smarthost's reply to MAIL FROM (or a 4xx of the
 * relay's own when it could not reach the smarthost) and, when that reply is positive, the
 * transaction address for the following {@link RelayOp} steps. That address is always
 * {@link RelayAddress#TRANSACTION_PREFIX} + {@link RelayOpen#transactionId()}; it is null when the
 * reply is not positive (the relay has unregistered it again). {@code endTakesData}: the relay
 * takes the data's last bytes with {@link RelayOp#END}; without it (a relay of an earlier
 * version, in a cluster being upgraded) they must go as a CHUNK of their own.
 */
public record RelayOpened(SmtpReply reply, String address, boolean endTakesData) {
  private static final String REPLY = "reply";
  private static final String ADDRESS = "address";
  private static final String END_TAKES_DATA = "endTakesData";

  /** A refusal, or a relay that takes END without data. */
  public RelayOpened(SmtpReply reply, String address) {
    this(reply, address, false);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put(REPLY, reply.toJson()).put(ADDRESS, address);
    return endTakesData ? json.put(END_TAKES_DATA, true) : json;
  }

  /** A relay from before {@code endTakesData} sends no such field: its END takes no data. */
  public static RelayOpened fromJson(JsonObject json) {
    return new RelayOpened(SmtpReply.fromJson(json.getJsonObject(REPLY)), json.getString(ADDRESS),
        json.getBoolean(END_TAKES_DATA, false));
  }
}
