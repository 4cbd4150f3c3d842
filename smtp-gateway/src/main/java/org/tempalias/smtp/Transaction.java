package org.tempalias.smtp;

import io.vertx.core.Future;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.MailParameters;
import org.tempalias.smtp.protocol.MailPath;
import org.tempalias.smtp.protocol.Replies;

/**
 * One mail transaction, from MAIL FROM to the reply to the final dot, and the one owner of its
 * life: it decides which recipients are accepted (policy, claim at alias-store, recipient at the
 * relay), opens and ends the relay transaction, and settles or releases every claim. The session
 * and the DATA phase ask it through named steps, each answering the reply the client gets:
 *
 * <pre>
 *   addRecipient(path)*  -&gt;  openData()  -&gt;  [chunks through the DataChannel]  -&gt;  finish(refusal)
 *          \___________________ abandon(why) at any point ____________________/
 * </pre>
 *
 * Settle USED happens only after the smarthost's positive reply to the final dot; every other
 * end aborts the relay transaction (nothing is delivered) and releases the claims, except an
 * abandon after the final dot went out: then the smarthost's reply, still to come, settles.
 * Not thread-safe: used on its session's event loop only.
 */
final class Transaction {
  private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ".toCharArray();

  private enum Phase { ENVELOPE, DATA, REFUSED, FINISHING, ENDED }

  /** One accepted recipient: the store's claim and the expanded target. */
  private record Claim(String aid, String claimId, String target, String aliasAddress) {}

  /** The reply to DATA, and the channel for the message when the smarthost said 354. */
  record DataOpening(SmtpReply reply, DataChannel channel) {}

  private final Gateway gateway;
  private final String clientIp;
  private final String id = newId();
  private final MailPath from;
  private final MailParameters params;
  private final Map<String, Claim> claims = new LinkedHashMap<>();
  private final TargetMask mask = new TargetMask();
  private RelayLink relay;
  private Phase phase = Phase.ENVELOPE;

  Transaction(Gateway gateway, String clientIp, MailPath from, MailParameters params) {
    this.gateway = gateway;
    this.clientIp = clientIp;
    this.from = from;
    this.params = params;
  }

  String id() {
    return id;
  }

  boolean hasRecipients() {
    return !claims.isEmpty();
  }

  boolean smtputf8() {
    return params.smtputf8();
  }

  long declaredSize() {
    return params.size();
  }

  /** The alias address for the Received header's "for" clause: only with a single recipient. */
  String singleRecipient() {
    return claims.size() == 1 ? claims.values().iterator().next().aliasAddress() : null;
  }

  // ---- RCPT ---------------------------------------------------------------------------------

  /**
   * RCPT TO: the relay policy (no I/O), then a claim on one use of the alias, then the target at
   * the relay (opening the relay transaction with the first one). On any refusal a claim taken on
   * the way has been released.
   */
  Future<SmtpReply> addRecipient(MailPath to) {
    SmtpReply refusal = policyRefusal(to);
    if (refusal != null) {
      return Future.succeededFuture(refusal);
    }
    String aid = to.localPart().toLowerCase(Locale.ROOT);
    if (claims.containsKey(aid)) {
      return Future.succeededFuture(Replies.RECIPIENT_OK); // the same alias twice is claimed once
    }
    String aliasAddress = aid + "@" + to.domainLowerCase();
    return gateway.store().claim(aid, id)
        .recover(err -> {
          LOG.warn("{} {} claim {} failed: {}", clientIp, id, aid, err.toString());
          return Future.succeededFuture(null);
        })
        .compose(reply -> claimed(aid, aliasAddress, reply));
  }

  /** Never an open relay: only plain local@our-domain paths are ours (RFC 5321 §3.6.2, §7.1). */
  private SmtpReply policyRefusal(MailPath to) {
    if (claims.size() >= gateway.config().maxRecipients()) {
      return refused(to.raw(), "limit", Replies.TOO_MANY_RECIPIENTS);
    }
    if (to.sourceRoute() || to.quoted() || to.addressLiteral() || to.hasRoutingCharacters()
        || (to.domain() != null && !gateway.config().isOurDomain(to.domain()))) {
      return refused(to.raw(), "relay_denied", Replies.RELAY_DENIED);
    }
    if (to.domain() == null || !AliasId.isWellFormed(to.localPart().toLowerCase(Locale.ROOT))) {
      return refused(to.raw(), "unknown", Replies.NO_SUCH_ALIAS);
    }
    return null;
  }

  private Future<SmtpReply> claimed(String aid, String aliasAddress, ClaimReply reply) {
    if (reply == null) {
      return Future.succeededFuture(refused(aid, "store_unavailable", Replies.STORE_UNAVAILABLE));
    }
    if (reply.outcome() == ClaimReply.Outcome.UNKNOWN) {
      return Future.succeededFuture(refused(aid, "unknown", Replies.NO_SUCH_ALIAS));
    }
    if (reply.outcome() == ClaimReply.Outcome.BUSY) {
      return Future.succeededFuture(refused(aid, "busy", Replies.ALIAS_BUSY));
    }
    Claim claim = new Claim(aid, reply.claimId(), reply.target(), aliasAddress);
    if (phase != Phase.ENVELOPE) {
      release(claim);
      return Future.succeededFuture(Replies.RELAY_LOST);
    }
    return relay().compose(opened -> {
      if (opened.link() == null) {
        release(claim);
        String reason = opened.reply().isTransient() ? "relay_unavailable" : "relay_refused";
        return Future.succeededFuture(refused(aid, reason, maskWith(opened.reply(), claim)));
      }
      if (phase != Phase.ENVELOPE) {
        opened.link().abort();
        release(claim);
        return Future.succeededFuture(Replies.RELAY_LOST);
      }
      relay = opened.link();
      return relay.rcpt(claim.target()).map(r -> recipientAnswered(claim, r));
    });
  }

  private SmtpReply recipientAnswered(Claim claim, SmtpReply reply) {
    if (phase != Phase.ENVELOPE || !reply.isPositive()) {
      release(claim);
      return phase != Phase.ENVELOPE ? reply : refused(claim.aid(), "relay_refused", maskWith(reply, claim));
    }
    claims.put(claim.aid(), claim);
    mask.hide(claim.target(), claim.aliasAddress());
    gateway.metrics().recipient("accepted");
    LOG.info("{} {} from=<{}> alias={}: accepted ({})", clientIp, id, from.raw(), claim.aid(), reply.code());
    return mask.apply(reply);
  }

  /** The relay transaction, opened with the first accepted recipient. */
  private Future<RelayLink.Opening> relay() {
    if (relay != null) {
      return Future.succeededFuture(new RelayLink.Opening(relay, Replies.OK));
    }
    return RelayLink.open(gateway.vertx(), gateway.config(),
        new RelayOpen(newRelayTransactionId(), from.raw(), params.size(), params.body(), params.smtputf8()));
  }

  // ---- DATA ---------------------------------------------------------------------------------

  /** DATA at the relay; on 354 the message may stream, on anything else the transaction ends. */
  Future<DataOpening> openData() {
    return relay.data().map(r -> {
      if (phase != Phase.ENVELOPE) {
        return new DataOpening(Replies.RELAY_LOST, null);
      }
      if (r.code() != 354) {
        end(Settlement.RELEASED, "relay refused DATA: " + r);
        return new DataOpening(mask.apply(r), null);
      }
      phase = Phase.DATA;
      return new DataOpening(Replies.START_DATA, relay);
    });
  }

  /**
   * The message will be refused at its end (too big, bare CR/LF, a loop, the relay lost): nothing
   * more goes upstream, the relay transaction is dropped now and the claims released; the reply
   * follows at the final dot.
   */
  void refuseData(String why) {
    if (phase == Phase.DATA) {
      phase = Phase.REFUSED;
      dropRelayAndRelease("message refused: " + why);
    }
  }

  /**
   * The final dot arrived. With a refusal, that is the client's reply (nothing was delivered).
   * Otherwise the relay sends the final dot and the smarthost's reply decides: 2xx settles every
   * claim USED, anything else releases them.
   */
  Future<SmtpReply> finish(SmtpReply refusal, long bytes) {
    gateway.metrics().bytes(bytes);
    if (refusal != null || phase != Phase.DATA) {
      SmtpReply reply = refusal != null ? refusal : Replies.RELAY_LOST;
      refuseData(reply.toString());
      phase = Phase.ENDED;
      logMessage(outcomeOf(reply), "gateway", reply, bytes, Settlement.RELEASED);
      return Future.succeededFuture(reply);
    }
    phase = Phase.FINISHING;
    return relay.end().map(reply -> {
      Settlement settlement = reply.isPositive() ? Settlement.USED : Settlement.RELEASED;
      phase = Phase.ENDED;
      settle(settlement);
      logMessage(outcomeOf(reply), "smarthost", reply, bytes, settlement);
      return mask.apply(reply);
    });
  }

  /**
   * The session is done with this transaction before its end (RSET, EHLO, STARTTLS, disconnect,
   * idle timeout, shutdown). Before the final dot nothing is delivered: abort and release. Once
   * the final dot is on its way the smarthost may already have the message, so its reply settles.
   */
  void abandon(String why) {
    if (phase == Phase.FINISHING || phase == Phase.ENDED) {
      return;
    }
    if (phase == Phase.DATA || phase == Phase.REFUSED) {
      gateway.metrics().data("aborted", 0);
    }
    end(Settlement.RELEASED, why);
  }

  private void end(Settlement settlement, String why) {
    Phase was = phase;
    phase = Phase.ENDED;
    if (!claims.isEmpty() || relay != null) {
      LOG.info("{} {} from=<{}> aliases={}: transaction ended, {} ({})", clientIp, id, from.raw(), aliases(),
          settlement, why);
    }
    if (was != Phase.REFUSED) {
      dropRelayAndRelease(why);
    }
  }

  private void dropRelayAndRelease(String why) {
    if (relay != null) {
      relay.abort();
    }
    settle(Settlement.RELEASED);
  }

  // ---- claims -------------------------------------------------------------------------------

  private void settle(Settlement settlement) {
    for (Claim claim : claims.values()) {
      gateway.store().settle(claim.aid(), claim.claimId(), settlement, id);
    }
  }

  /** A claim that does not join the transaction (refused upstream, or the transaction ended). */
  private void release(Claim claim) {
    gateway.store().settle(claim.aid(), claim.claimId(), Settlement.RELEASED, id);
  }

  // ---- replies and logs ---------------------------------------------------------------------

  private SmtpReply maskWith(SmtpReply reply, Claim claim) {
    TargetMask one = new TargetMask();
    one.hide(claim.target(), claim.aliasAddress());
    return mask.apply(one.apply(reply));
  }

  private SmtpReply refused(String alias, String reason, SmtpReply reply) {
    gateway.metrics().recipient(reason);
    LOG.info("{} {} from=<{}> alias={}: refused {} ({})", clientIp, id, from.raw(), alias, reason, reply);
    return reply;
  }

  private void logMessage(String outcome, String by, SmtpReply reply, long bytes, Settlement settlement) {
    gateway.metrics().data(outcome, reply.code());
    LOG.info("{} {} from=<{}> aliases={} bytes={}: {} by {} ({}), claims {}", clientIp, id, from.raw(), aliases(),
        bytes, outcome, by, mask.apply(reply), settlement);
  }

  private static String outcomeOf(SmtpReply reply) {
    return reply.isPositive() ? "delivered" : reply.isTransient() ? "deferred" : "refused";
  }

  private List<String> aliases() {
    return new ArrayList<>(claims.keySet());
  }

  /**
   * A fresh id for each OPEN: it names the relay's transaction address, so it must be unique
   * across every gateway in the cluster (128 random bits), and a second OPEN in this transaction
   * (after the first was refused) must not meet the first one's address. It starts with our
   * queue id so both logs can be matched.
   */
  private String newRelayTransactionId() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return id + "." + HexFormat.of().formatHex(random);
  }

  private static String newId() {
    char[] out = new char[12];
    for (int i = 0; i < out.length; i++) {
      out[i] = ID_ALPHABET[RANDOM.nextInt(ID_ALPHABET.length)];
    }
    return new String(out);
  }
}
