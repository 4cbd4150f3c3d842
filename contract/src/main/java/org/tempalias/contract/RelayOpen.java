package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Open a relay transaction: take a smarthost connection and send MAIL FROM.
 *
 * @param transactionId the gateway's id for this relay transaction (appears in both logs), unique
 *                      across the cluster and per OPEN: it names the transaction address
 *                      {@link RelayAddress#TRANSACTION_PREFIX} + transactionId (see {@link RelayOp})
 * @param reversePath   the client's MAIL FROM address without angle brackets, "" for the null sender
 * @param size          the client's SIZE= parameter, 0 when it gave none
 * @param body          the client's BODY= parameter (7BIT or 8BITMIME), null when it gave none
 * @param smtputf8      whether the client asked for SMTPUTF8
 */
public record RelayOpen(String transactionId, String reversePath, long size, String body, boolean smtputf8) {
  private static final String TRANSACTION = "transactionId";
  private static final String REVERSE_PATH = "reversePath";
  private static final String SIZE = "size";
  private static final String BODY = "body";
  private static final String SMTPUTF8 = "smtputf8";

  public JsonObject toJson() {
    return new JsonObject()
        .put(TRANSACTION, transactionId)
        .put(REVERSE_PATH, reversePath)
        .put(SIZE, size)
        .put(BODY, body)
        .put(SMTPUTF8, smtputf8);
  }

  public static RelayOpen fromJson(JsonObject json) {
    return new RelayOpen(
        json.getString(TRANSACTION),
        json.getString(REVERSE_PATH, ""),
        json.getLong(SIZE, 0L),
        json.getString(BODY),
        json.getBoolean(SMTPUTF8, false));
  }
}
