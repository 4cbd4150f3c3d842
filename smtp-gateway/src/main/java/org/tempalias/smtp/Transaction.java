package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ClientKey;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.SenderLock;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.MailParameters;
import org.tempalias.smtp.protocol.Mailbox;
import org.tempalias.smtp.protocol.MailPath;
import org.tempalias.smtp.protocol.Replies;
import org.tempalias.smtp.srs.Srs;

/**
 * One mail transaction, from MAIL FROM to the reply to the final dot, and the one owner of its
 * life: which recipients are accepted (policy, claim at alias-store, recipient at the relay), when
 * the relay transaction opens, aborts and ends, and how every claim is settled. The session and
 * the DATA phase ask it through named steps, each answering the reply the client gets:
 *
 * <pre>
 *   addRecipient(path)*  -&gt;  openData()  -&gt;  [chunks through the DataChannel]  -&gt;  finish(refusal)
 *          \___________________ abandon(why) at any point ____________________/
 * </pre>
 *
 * The promises it keeps: a claim lives exactly as long as the transaction (renewed, and the
 * transaction bounded by {@code maxTransactionSeconds}); the final dot goes upstream only after
 * the store committed every claim (still held, alias still there); a use comes back only when the
 * message is known not to be delivered (every end before the dot, a smarthost's refusal of the
 * dot), and counts as spent when its fate is unknown (the dot went out, no reply came back).
 * Not thread-safe: used on its session's event loop only.
 */
final class Transaction {
  private static final Logger LOG = LoggerFactory.getLogger(Transaction.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXZ".toCharArray();
  private static final String POSTMASTER = "postmaster";

  private enum Phase { ENVELOPE, DATA, REFUSED, COMMITTING, FINISHING, ENDED }

  /**
   * One accepted recipient: an alias with its claim, or postmaster (no claim).
   *
   * @param shown the address the client used, which stands for the target in every reply
   */
  private record Recipient(Claims.Claim claim, String target, String shown) {}

  /** The reply to DATA, and the channel for the message when the smarthost said 354. */
  record DataOpening(SmtpReply reply, DataChannel channel) {}

  private final Gateway gateway;
  private final String clientIp;
  private final String client;
  private final Runnable onExpired;
  private final String id = newId();
  private final MailPath from;
  private final String senderDomain;
  private final MailParameters params;
  private final Map<String, Recipient> recipients = new LinkedHashMap<>();
  private final Set<String> targetsSent = new HashSet<>();
  private final TargetMask mask = new TargetMask();
  private final Claims claims;
  private RelayLink relay;
  private Phase phase = Phase.ENVELOPE;
  private boolean holdsSlot;
  private long deadline = -1;

  /**
   * @param onExpired runs when the transaction outlived {@code maxTransactionSeconds} before its
   *                  final dot: the session must abandon it and close the connection
   */
  Transaction(Gateway gateway, String clientIp, MailPath from, MailParameters params, Runnable onExpired) {
    this.gateway = gateway;
    this.clientIp = clientIp;
    this.client = ClientKey.of(clientIp);
    this.from = from;
    this.params = params;
    this.onExpired = onExpired;
    this.senderDomain = SenderLock.senderDomain(from.domain(), from.isNull());
    this.claims = new Claims(gateway.vertx(), gateway.store(), id, senderDomain);
  }

  String id() {
    return id;
  }

  boolean hasRecipients() {
    return !recipients.isEmpty();
  }

  boolean smtputf8() {
    return params.smtputf8();
  }

  long declaredSize() {
    return params.size();
  }

  /** The address for the Received header's "for" clause: only with a single recipient. */
  String singleRecipient() {
    return recipients.size() == 1 ? recipients.values().iterator().next().shown() : null;
  }

  // ---- RCPT ---------------------------------------------------------------------------------

  /**
   * RCPT TO: the relay policy (no I/O), the client's share of upstream transactions, a claim on
   * one use of the alias (postmaster needs none), then the target at the relay (opening the relay
   * transaction with the first one). On any refusal a claim taken on the way has been released.
   */
  Future<SmtpReply> addRecipient(MailPath to) {
    SmtpReply refusal = policyRefusal(to);
    if (refusal != null) {
      return Future.succeededFuture(refusal);
    }
    if (isBounce(to)) {
      return bounce(to);
    }
    String local = to.localPart().toLowerCase(Locale.ROOT);
    String domain = to.domain() == null ? gateway.config().domains().get(0) : to.domainLowerCase();
    if (recipients.containsKey(local)) {
      return Future.succeededFuture(Replies.RECIPIENT_OK); // the same alias twice is claimed once
    }
    return slot().compose(granted -> granted
        ? claimAndAccept(local, domain)
        : Future.succeededFuture(refused(local, "client_busy", Replies.TOO_MANY_TRANSACTIONS)));
  }

  /** The client's share of upstream transactions: one slot for this transaction, waited for if need be. */
  private Future<Boolean> slot() {
    if (holdsSlot) {
      return Future.succeededFuture(true);
    }
    return gateway.limits().openTransaction(client, gateway.config().transactionSlotWaitMillis()).map(granted -> {
      if (granted && phase != Phase.ENVELOPE) {
        gateway.limits().transactionClosed(client); // abandoned while it waited
        return false;
      }
      holdsSlot = granted;
      return granted;
    });
  }

  private Future<SmtpReply> claimAndAccept(String local, String domain) {
    if (local.equals(POSTMASTER)) {
      return accept(local, new Recipient(null, gateway.config().postmaster(), POSTMASTER + "@" + domain));
    }
    String claimId = StoreClient.newClaimId();
    return gateway.store().claim(local, claimId, id, senderDomain)
        .recover(err -> {
          // The claim may still be done after we stopped waiting: release it by name, so that it
          // is refused when it arrives (or released, if it is already there).
          LOG.warn("{} {} claim {} failed: {}; releasing claim {}", clientIp, id, local, err.toString(), claimId);
          claims.release(new Claims.Claim(local, claimId));
          return Future.succeededFuture(null);
        })
        .compose(reply -> claimed(local, domain, claimId, reply));
  }

  /** Never an open relay: only plain local@our-domain paths are ours (RFC 5321 §3.6.2, §7.1). */
  private SmtpReply policyRefusal(MailPath to) {
    if (recipients.size() >= gateway.config().maxRecipients()) {
      return refused(to.raw(), "limit", Replies.TOO_MANY_RECIPIENTS);
    }
    if (isBounce(to)) {
      return null; // our own signature: the reversal decides (a quoted local part is fine here)
    }
    if (to.sourceRoute() || to.quoted() || to.addressLiteral() || to.hasRoutingCharacters()
        || (to.domain() != null && !gateway.isOurDomain(to.domain()))) {
      return refused(to.raw(), "relay_denied", Replies.RELAY_DENIED);
    }
    String local = to.localPart().toLowerCase(Locale.ROOT);
    if (local.equals(POSTMASTER)) {
      // RFC 5321 §4.5.1: postmaster at each of our domains, and <postmaster> alone.
      return gateway.config().postmaster() == null ? refused(to.raw(), "unknown", Replies.NO_SUCH_ALIAS) : null;
    }
    if (to.domain() == null || !AliasId.isWellFormed(local) || !gateway.config().isOurDomain(to.domain())) {
      return refused(to.raw(), "unknown", Replies.NO_SUCH_ALIAS);
    }
    return null;
  }

  /** A recipient in our SRS domain that is shaped like an SRS address: a bounce coming back. */
  private boolean isBounce(MailPath to) {
    return gateway.srs() != null && to.domain() != null && !to.sourceRoute() && !to.addressLiteral()
        && gateway.srs().domain().equalsIgnoreCase(to.domain()) && Srs.isSrs(to.localPart());
  }

  /**
   * A bounce to an address we wrote: relayed to the sender it stands for, with no alias and no
   * use. Only an address carrying our signature gets anywhere, so this relays nowhere else.
   */
  private Future<SmtpReply> bounce(MailPath to) {
    String shown = Mailbox.format(to.localPart(), to.domainLowerCase());
    Srs.Reversed reversed = gateway.srs().reverse(to.localPart());
    if (reversed instanceof Srs.Expired) {
      return Future.succeededFuture(refused(shown, "srs_expired", Replies.bounceAddressExpired(gateway.srs().maxAgeDays())));
    }
    if (!(reversed instanceof Srs.Original original)) {
      return Future.succeededFuture(refused(shown, "srs_invalid", Replies.BAD_BOUNCE_ADDRESS));
    }
    Srs.Address sender = original.address();
    if (gateway.isOurDomain(sender.domain())) {
      return Future.succeededFuture(refused(shown, "loop", Replies.TARGET_IS_OURS));
    }
    String key = "srs:" + to.localPart().toLowerCase(Locale.ROOT);
    if (recipients.containsKey(key)) {
      return Future.succeededFuture(Replies.RECIPIENT_OK);
    }
    return slot().compose(granted -> granted
        ? accept(key, new Recipient(null, Mailbox.format(sender.local(), sender.domain()), shown))
        : Future.succeededFuture(refused(shown, "client_busy", Replies.TOO_MANY_TRANSACTIONS)));
  }

  private Future<SmtpReply> claimed(String aid, String domain, String claimId, ClaimReply reply) {
    SmtpReply refusal = reply == null ? refused(aid, "store_unavailable", Replies.STORE_UNAVAILABLE)
        : reply.outcome() == ClaimReply.Outcome.UNKNOWN ? refused(aid, "unknown", Replies.NO_SUCH_ALIAS)
        : reply.outcome() == ClaimReply.Outcome.BUSY ? refused(aid, "busy", Replies.ALIAS_BUSY)
        // The sender retries: mail sent meanwhile arrives once the target confirms.
        : reply.outcome() == ClaimReply.Outcome.PENDING ? refused(aid, "unconfirmed", Replies.ALIAS_UNCONFIRMED)
        // Says neither which senders the alias takes nor that it exists beyond that.
        : reply.outcome() == ClaimReply.Outcome.SENDER_REFUSED ? refused(aid, "sender_locked", Replies.SENDER_NOT_ALLOWED)
        : null;
    if (refusal != null) {
      giveUpSlotIfIdle();
      return Future.succeededFuture(refusal);
    }
    Claims.Claim claim = new Claims.Claim(aid, claimId);
    String target = reply.target();
    int at = target.lastIndexOf('@');
    if (at > 0 && gateway.config().isOurDomain(target.substring(at + 1))) {
      claims.release(claim);
      giveUpSlotIfIdle();
      return Future.succeededFuture(refused(aid, "loop", Replies.TARGET_IS_OURS));
    }
    claims.keepAlive(reply.leaseMillis());
    return accept(aid, new Recipient(claim, target, aid + "@" + domain));
  }

  /** The target at the relay; a second alias of the same target joins without a second RCPT. */
  private Future<SmtpReply> accept(String key, Recipient r) {
    if (phase != Phase.ENVELOPE) {
      release(r);
      return Future.succeededFuture(Replies.RELAY_LOST);
    }
    if (targetsSent.contains(r.target().toLowerCase(Locale.ROOT))) {
      return Future.succeededFuture(recipientAnswered(key, r, Replies.RECIPIENT_OK));
    }
    return relay().compose(opened -> {
      if (opened.link() == null) {
        release(r);
        giveUpSlotIfIdle();
        String reason = opened.reply().isTransient() ? "relay_unavailable" : "relay_refused";
        return Future.succeededFuture(refused(key, reason, maskWith(opened.reply(), r)));
      }
      if (phase != Phase.ENVELOPE) {
        opened.link().abort();
        release(r);
        return Future.succeededFuture(Replies.RELAY_LOST);
      }
      relay = opened.link();
      return relay.rcpt(r.target()).map(reply -> recipientAnswered(key, r, reply));
    });
  }

  private SmtpReply recipientAnswered(String key, Recipient r, SmtpReply reply) {
    if (phase != Phase.ENVELOPE || !reply.isPositive()) {
      release(r);
      return phase != Phase.ENVELOPE ? reply : refused(key, "relay_refused", maskWith(reply, r));
    }
    if (recipients.isEmpty()) {
      deadline = gateway.vertx().setTimer(gateway.config().maxTransactionSeconds() * 1000L, t -> expired());
    }
    recipients.put(key, r);
    targetsSent.add(r.target().toLowerCase(Locale.ROOT));
    if (r.claim() != null) {
      claims.add(r.claim());
    }
    mask.hide(r.target(), r.shown());
    gateway.metrics().recipient("accepted");
    // Accepted recipients are in the outcome line; a refusal is logged where it is decided.
    LOG.debug("{} {} from=<{}> alias={}: accepted ({})", clientIp, id, from.raw(), key, reply.code());
    return mask.apply(reply);
  }

  /** The relay transaction, opened with the first accepted recipient. */
  private Future<RelayLink.Opening> relay() {
    if (relay != null) {
      return Future.succeededFuture(new RelayLink.Opening(relay, Replies.OK));
    }
    return RelayLink.open(gateway.vertx(), gateway.config(),
        new RelayOpen(newRelayTransactionId(), upstreamSender(), params.size(), params.body(), params.smtputf8()));
  }

  /**
   * The envelope sender the smarthost sees: rewritten with SRS, so that SPF checks of the
   * forwarded mail look at our domain, not the sender's; bounces then come back to us. The null
   * sender, and senders in our own domains, go as they are. Headers and body are never touched.
   */
  private String upstreamSender() {
    Srs srs = gateway.srs();
    if (srs == null || from.isNull() || from.domain() == null || gateway.isOurDomain(from.domain())) {
      return from.raw();
    }
    Srs.Address rewritten = srs.forward(new Srs.Address(from.localPart(), from.domain()));
    return Mailbox.format(rewritten.local(), rewritten.domain());
  }

  // ---- DATA ---------------------------------------------------------------------------------

  /** DATA at the relay; on 354 the message may stream, on anything else the transaction ends. */
  Future<DataOpening> openData() {
    return relay.data().map(r -> {
      if (phase != Phase.ENVELOPE) {
        return new DataOpening(Replies.RELAY_LOST, null);
      }
      if (r.code() != 354) {
        end("relay refused DATA: " + r);
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
      dropRelayAndRelease();
    }
  }

  /**
   * The final dot arrived. With a refusal, that is the client's reply (nothing was delivered).
   * Otherwise, once every chunk is acknowledged and the store has committed every claim, the relay
   * sends the final dot and the smarthost's reply decides: 2xx, or no reply at all, spends the
   * uses; a refusal gives them back.
   */
  Future<SmtpReply> finish(SmtpReply refusal, long bytes, Buffer last) {
    gateway.metrics().bytes(bytes);
    if (refusal != null || phase != Phase.DATA) {
      SmtpReply reply = refusal != null ? refusal : Replies.RELAY_LOST;
      refuseData(reply.toString());
      closed();
      logMessage(outcomeOf(reply), "gateway", reply, bytes, Settlement.RELEASED);
      return Future.succeededFuture(reply);
    }
    phase = Phase.COMMITTING;
    Future<SmtpReply> committed = claims.commit(gateway.config().commitHoldMillis());
    return relay.drained().compose(v -> committed).compose(storeRefusal -> {
      if (phase != Phase.COMMITTING) {
        return Future.succeededFuture(Replies.RELAY_LOST); // abandoned meanwhile: already released
      }
      if (storeRefusal != null) {
        SmtpReply reply = storeRefusal;
        end("not committed: " + reply);
        logMessage(outcomeOf(reply), "store", reply, bytes, Settlement.RELEASED);
        return Future.succeededFuture(reply);
      }
      phase = Phase.FINISHING;
      return relay.end(last).map(fin -> ended(fin, bytes));
    });
  }

  private SmtpReply ended(FinalReply fin, long bytes) {
    phase = Phase.ENDED;
    closed();
    SmtpReply reply = fin.reply();
    // Unknown fate counts as delivered: never more deliveries than the alias allows.
    Settlement settlement = reply.isPositive() || !fin.outcomeKnown() ? Settlement.USED : Settlement.RELEASED;
    claims.settleAll(settlement);
    logMessage(fin.outcomeKnown() ? outcomeOf(reply) : "unknown (counted as delivered)", "smarthost", reply, bytes,
        settlement);
    return mask.apply(reply);
  }

  /**
   * The session is done with this transaction before its end (RSET, EHLO, STARTTLS, disconnect,
   * idle timeout, shutdown, time limit). Before the final dot nothing is delivered: abort and
   * release. Once the final dot is on its way the smarthost may already have the message, so its
   * reply settles.
   */
  void abandon(String why) {
    if (phase == Phase.FINISHING || phase == Phase.ENDED) {
      return;
    }
    if (phase != Phase.ENVELOPE) {
      gateway.metrics().data("aborted", 0);
    }
    end(why);
  }

  private void expired() {
    deadline = -1;
    if (phase != Phase.FINISHING && phase != Phase.ENDED) {
      LOG.info("{} {} from=<{}> aliases={}: transaction older than {} s", clientIp, id, from.raw(), aliases(),
          gateway.config().maxTransactionSeconds());
      onExpired.run();
    }
  }

  private void end(String why) {
    Phase was = phase;
    phase = Phase.ENDED;
    closed();
    if (!recipients.isEmpty() || relay != null) {
      LOG.info("{} {} from=<{}> aliases={}: transaction ended, RELEASED ({})", clientIp, id, from.raw(), aliases(), why);
    }
    if (was != Phase.REFUSED) {
      dropRelayAndRelease();
    }
  }

  private void dropRelayAndRelease() {
    if (relay != null) {
      relay.abort();
    }
    claims.settleAll(Settlement.RELEASED);
  }

  /** Done with the node's resources: the time limit and the client's share of upstream transactions. */
  private void closed() {
    if (deadline != -1) {
      gateway.vertx().cancelTimer(deadline);
      deadline = -1;
    }
    claims.stopRenewing();
    if (holdsSlot) {
      holdsSlot = false;
      gateway.limits().transactionClosed(client);
    }
  }

  /** A refused first recipient leaves nothing open upstream: the client's share is free again. */
  private void giveUpSlotIfIdle() {
    if (recipients.isEmpty() && relay == null && holdsSlot) {
      holdsSlot = false;
      gateway.limits().transactionClosed(client);
    }
  }

  private void release(Recipient r) {
    if (r.claim() != null) {
      claims.release(r.claim());
    }
  }

  // ---- replies and logs ---------------------------------------------------------------------

  private SmtpReply maskWith(SmtpReply reply, Recipient r) {
    TargetMask one = new TargetMask();
    one.hide(r.target(), r.shown());
    return mask.apply(one.apply(reply));
  }

  private SmtpReply refused(String alias, String reason, SmtpReply reply) {
    gateway.metrics().recipient(reason);
    LOG.info("{} {} from=<{}> alias={}: refused {} ({})", clientIp, id, from.raw(), alias, reason, reply);
    return reply;
  }

  private void logMessage(String outcome, String by, SmtpReply reply, long bytes, Settlement settlement) {
    gateway.metrics().data(outcome.startsWith("unknown") ? "unknown" : outcome, reply.code());
    LOG.info("{} {} from=<{}> aliases={} bytes={}: {} by {} ({}), claims {}", clientIp, id, from.raw(), aliases(),
        bytes, outcome, by, mask.apply(reply), settlement);
  }

  private static String outcomeOf(SmtpReply reply) {
    return reply.isPositive() ? "delivered" : reply.isTransient() ? "deferred" : "refused";
  }

  private List<String> aliases() {
    return List.copyOf(recipients.keySet());
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
