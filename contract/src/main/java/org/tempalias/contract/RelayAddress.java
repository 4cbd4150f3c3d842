package org.tempalias.contract;

import java.util.regex.Pattern;

/**
 * The relay's event-bus door. A gateway opens a transaction with {@link #OPEN} (any relay
 * instance may answer: the event bus balances); the instance that takes it registers the
 * per-transaction address {@link #TRANSACTION_PREFIX} + {@link RelayOpen#transactionId()} at once,
 * and every later step of the transaction (and PING, also while OPEN is outstanding) goes there,
 * as described in {@link RelayOp}.
 */
public final class RelayAddress {
  /** {@link RelayOpen} -> {@link RelayOpened}. */
  public static final String OPEN = "tempalias.relay.open";
  /**
   * {@link ServiceMail} -> empty JSON object once a relay instance took it (it sends it on its own
   * time, retrying a bounded while); fails when no relay answers.
   */
  public static final String SERVICE_MAIL = "tempalias.relay.mail";
  /** Prefix of the per-transaction addresses a relay instance registers; the rest is the transaction id. */
  public static final String TRANSACTION_PREFIX = "tempalias.relay.tx.";

  private static final Pattern TRANSACTION_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private RelayAddress() {}

  /** The address of the relay transaction opened with this {@link RelayOpen#transactionId()}. */
  public static String transaction(String transactionId) {
    return TRANSACTION_PREFIX + transactionId;
  }

  /** Whether a transaction id may name a transaction address: {@code [A-Za-z0-9._-]}, 1 to 128 characters. */
  public static boolean isTransactionId(String transactionId) {
    return transactionId != null && TRANSACTION_ID.matcher(transactionId).matches();
  }
}
