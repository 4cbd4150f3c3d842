package org.tempalias.contract;

/**
 * The relay's event-bus door. A gateway opens a transaction with {@link #OPEN} (any relay
 * instance may answer: the event bus balances); the reply names a per-transaction address owned
 * by that one instance, and every later step of the transaction goes there, as described in
 * {@link RelayOp}.
 */
public final class RelayAddress {
  /** {@link RelayOpen} -> {@link RelayOpened}. */
  public static final String OPEN = "tempalias.relay.open";
  /** Prefix of the per-transaction addresses a relay instance registers. */
  public static final String TRANSACTION_PREFIX = "tempalias.relay.tx.";

  private RelayAddress() {}
}
