package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.Replies;

/**
 * The claims one transaction holds, and the store calls that keep them: renewal while the
 * transaction lives, the commit before the final dot, the settlement at the end. It carries out
 * what {@link Transaction} decides and decides nothing itself. Not thread-safe: one event loop.
 */
final class Claims {
  private static final Logger LOG = LoggerFactory.getLogger(Claims.class);

  /** One use of one alias, held under the gateway's name for it. */
  record Claim(String aid, String claimId) {}

  private final Vertx vertx;
  private final StoreClient store;
  private final String transactionId;
  private final String senderDomain;
  private final List<Claim> held = new ArrayList<>(2);
  private long renewal = -1;

  /** @param senderDomain the transaction's sender as sender locks see it (SenderLock.senderDomain) */
  Claims(Vertx vertx, StoreClient store, String transactionId, String senderDomain) {
    this.vertx = vertx;
    this.store = store;
    this.transactionId = transactionId;
    this.senderDomain = senderDomain;
  }

  void add(Claim claim) {
    held.add(claim);
  }

  boolean isEmpty() {
    return held.isEmpty();
  }

  /** Renews every claim each third of its lease, so a claim lives exactly as long as its transaction. */
  void keepAlive(long leaseMillis) {
    if (renewal == -1 && leaseMillis > 0) {
      renewal = vertx.setPeriodic(Math.max(100, leaseMillis / 3), t -> renewAll());
    }
  }

  private void renewAll() {
    for (Claim claim : held) {
      store.renew(claim.aid(), claim.claimId())
          .onSuccess(state -> {
            if (state != ClaimState.State.HELD) {
              LOG.info("{} alias={} claim={}: renewal found it {}; the commit will refuse the message", transactionId,
                  claim.aid(), claim.claimId(), state);
            }
          })
          .onFailure(err -> LOG.warn("{} alias={} claim={}: renewal failed: {}", transactionId, claim.aid(),
              claim.claimId(), err.toString()));
    }
  }

  void stopRenewing() {
    if (renewal != -1) {
      vertx.cancelTimer(renewal);
      renewal = -1;
    }
  }

  /**
   * Commits every claim: the store confirms each is still held and its alias still exists, and
   * from then on counts the use as spent unless told otherwise within {@code holdMillis}. Never
   * fails: null when all are committed, else the refusal for the client (nothing may go out).
   */
  Future<SmtpReply> commit(long holdMillis) {
    stopRenewing();
    List<Future<ClaimState.State>> commits = new ArrayList<>(held.size());
    for (Claim claim : held) {
      commits.add(store.commit(claim.aid(), claim.claimId(), holdMillis));
    }
    return Future.join(commits).transform(ignored -> {
      int gone = 0;
      int lapsed = 0;
      for (Future<ClaimState.State> commit : commits) {
        if (commit.failed()) {
          LOG.warn("{} commit failed: {}", transactionId, commit.cause().toString());
          return Future.succeededFuture(Replies.STORE_UNAVAILABLE);
        }
        gone += commit.result() == ClaimState.State.GONE ? 1 : 0;
        lapsed += commit.result() == ClaimState.State.LAPSED ? 1 : 0;
      }
      if (gone > 0 && gone == commits.size()) {
        return Future.succeededFuture(Replies.ALIAS_GONE);
      }
      // Some alias changed under a live transaction: the retry sorts the recipients out afresh.
      return Future.succeededFuture(gone + lapsed > 0 ? Replies.ALIAS_CHANGED : null);
    });
  }

  /** Settles every claim (retried by the store client until the store has it). */
  void settleAll(Settlement settlement) {
    stopRenewing();
    for (Claim claim : held) {
      store.settle(claim.aid(), claim.claimId(), settlement, senderDomain, transactionId);
    }
    held.clear();
  }

  /** Releases a claim that does not join (or no longer belongs to) the transaction. */
  void release(Claim claim) {
    store.settle(claim.aid(), claim.claimId(), Settlement.RELEASED, senderDomain, transactionId);
  }
}
