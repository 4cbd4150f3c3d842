package org.tempalias.smtp;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tempalias.contract.SettleRequest.Settlement;

/**
 * The per-transaction state (MAIL FROM up to the end of data), dropped on RSET, end of data,
 * STARTTLS, EHLO and disconnect. {@link #end} settles the claims and closes the relay side once.
 */
final class Transaction {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ".toCharArray();

  /** One accepted recipient: the store's claim and the expanded target. */
  record Claim(String aid, String claimId, String target, String aliasAddress) {}

  final String id = newId();
  final MailPath from;
  final MailParameters params;
  final Map<String, Claim> claims = new LinkedHashMap<>();
  RelayLink relay;
  private boolean ended;
  private final StoreClient store;

  Transaction(MailPath from, MailParameters params, StoreClient store) {
    this.from = from;
    this.params = params;
    this.store = store;
  }

  boolean ended() {
    return ended;
  }

  /** Releases a claim that will not join the transaction (refused upstream, or we ended meanwhile). */
  void release(Claim claim) {
    store.settle(claim.aid(), claim.claimId(), Settlement.RELEASED, id);
  }

  /**
   * Ends the transaction once: USED only after the smarthost accepted the message; otherwise the
   * relay transaction is aborted (nothing is delivered) and the claims are released.
   */
  void end(Settlement settlement) {
    if (ended) {
      return;
    }
    ended = true;
    if (relay != null && settlement != Settlement.USED) {
      relay.abort();
    }
    for (Claim claim : claims.values()) {
      store.settle(claim.aid(), claim.claimId(), settlement, id);
    }
  }

  /**
   * A fresh id for each OPEN: it names the relay's transaction address, so it must be unique
   * across every gateway in the cluster (128 random bits), and a second OPEN in this transaction
   * (after the first was refused) must not meet the first one's address. It starts with our
   * queue id so both logs can be matched.
   */
  String newRelayTransactionId() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return id + "." + HexFormat.of().formatHex(random);
  }

  List<String> aliases() {
    return new ArrayList<>(claims.keySet());
  }

  private static String newId() {
    char[] out = new char[12];
    for (int i = 0; i < out.length; i++) {
      out[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
    }
    return new String(out);
  }
}
