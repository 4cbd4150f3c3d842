package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.SmtpReply;

/**
 * RCPT TO for one transaction: the relay policy (local, no I/O), then the claim at alias-store,
 * then the recipient at the relay (opening the relay transaction on the first one). Every
 * decision is logged once and counted.
 */
final class Recipients {
  private static final Logger LOG = LoggerFactory.getLogger(Recipients.class);

  private final Vertx vertx;
  private final SmtpConfig config;
  private final StoreClient store;
  private final GatewayMetrics metrics;
  private final String clientIp;

  Recipients(Vertx vertx, SmtpConfig config, StoreClient store, GatewayMetrics metrics, String clientIp) {
    this.vertx = vertx;
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.clientIp = clientIp;
  }

  /** The refusal that needs no I/O, or null when the path names a well-formed alias of ours. */
  SmtpReply policy(Transaction t, MailPath to) {
    if (t.claims.size() >= config.maxRecipients()) {
      return refusal(t, to.raw(), "limit", Replies.TOO_MANY_RECIPIENTS);
    }
    if (to.sourceRoute() || to.quoted() || to.addressLiteral() || to.hasRoutingCharacters()
        || (to.domain() != null && !config.isOurDomain(to.domain()))) {
      // Never an open relay: only plain local@our-domain paths are ours (RFC 5321 §3.6.2, §7.1).
      return refusal(t, to.raw(), "relay_denied", Replies.RELAY_DENIED);
    }
    if (to.domain() == null || !AliasId.isWellFormed(to.localPart().toLowerCase(Locale.ROOT))) {
      return refusal(t, to.raw(), "unknown", Replies.NO_SUCH_ALIAS);
    }
    return null;
  }

  /**
   * Claims a use of the alias and adds its target to the relay transaction. On success the claim
   * is in {@code t.claims}; on any refusal a claim obtained on the way has been released.
   */
  Future<SmtpReply> expand(Transaction t, MailPath to) {
    String aid = to.localPart().toLowerCase(Locale.ROOT);
    String aliasAddress = aid + "@" + to.domainLowerCase();
    return store.claim(aid, t.id)
        .recover(err -> {
          LOG.warn("{} {} claim {} failed: {}", clientIp, t.id, aid, err.toString());
          return Future.succeededFuture(null);
        })
        .compose(claim -> claimed(t, aid, aliasAddress, claim));
  }

  private Future<SmtpReply> claimed(Transaction t, String aid, String aliasAddress, ClaimReply claim) {
    if (claim == null) {
      return Future.succeededFuture(refusal(t, aid, "store_unavailable", Replies.STORE_UNAVAILABLE));
    }
    if (claim.outcome() == ClaimReply.Outcome.UNKNOWN) {
      return Future.succeededFuture(refusal(t, aid, "unknown", Replies.NO_SUCH_ALIAS));
    }
    if (claim.outcome() == ClaimReply.Outcome.BUSY) {
      return Future.succeededFuture(refusal(t, aid, "busy", Replies.ALIAS_BUSY));
    }
    Transaction.Claim c = new Transaction.Claim(aid, claim.claimId(), claim.target(), aliasAddress);
    if (t.ended()) {
      t.release(c);
      return Future.succeededFuture(Replies.RELAY_LOST);
    }
    Future<RelayLink.Opening> opening = t.relay != null
        ? Future.succeededFuture(new RelayLink.Opening(t.relay, Replies.OK))
        : RelayLink.open(vertx, config, new RelayOpen(t.newRelayTransactionId(), t.from.raw(), t.params.size(),
            t.params.body(), t.params.smtputf8()));
    return opening.compose(o -> {
      if (o.link() == null) {
        t.release(c);
        String reason = o.reply().isTransient() ? "relay_unavailable" : "relay_refused";
        return Future.succeededFuture(refusal(t, aid, reason, masked(o.reply(), c)));
      }
      if (t.ended()) {
        o.link().abort();
        t.release(c);
        return Future.succeededFuture(Replies.RELAY_LOST);
      }
      t.relay = o.link();
      return o.link().rcpt(c.target()).map(r -> {
        if (t.ended() || !r.isPositive()) {
          t.release(c);
          return t.ended() ? r : refusal(t, aid, "relay_refused", masked(r, c));
        }
        t.claims.put(aid, c);
        metrics.recipient("accepted");
        LOG.info("{} {} from=<{}> alias={}: accepted ({})", clientIp, t.id, t.from.raw(), aid, r.code());
        return masked(r, c);
      });
    });
  }

  SmtpReply refusal(Transaction t, String alias, String reason, SmtpReply reply) {
    metrics.recipient(reason);
    LOG.info("{} {} from=<{}> alias={}: refused {} ({})", clientIp, t.id, t.from.raw(), alias, reason, reply);
    return reply;
  }

  /** Upstream replies reach the client, but never the alias's target address (it is private). */
  static SmtpReply masked(SmtpReply reply, Transaction.Claim claim) {
    if (reply.text() == null || claim.target() == null) {
      return reply;
    }
    String text = replaceIgnoringAsciiCase(reply.text(), claim.target(), claim.aliasAddress());
    return text == reply.text() ? reply : SmtpReply.of(reply.code(), reply.enhanced(), text);
  }

  /**
   * Every occurrence of {@code target} in {@code text}, left to right and not overlapping, replaced;
   * letters compare case-insensitively in US-ASCII only (as a {@code (?i)} regular expression does,
   * without compiling one for every reply). Returns {@code text} itself when nothing matched.
   */
  static String replaceIgnoringAsciiCase(String text, String target, String replacement) {
    int n = target.length();
    if (n == 0) {
      return text.replace("", replacement);
    }
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i + n <= text.length()) {
      if (matchesAt(text, i, target)) {
        if (out == null) {
          out = new StringBuilder(text.length() + replacement.length());
        }
        out.append(text, copied, i).append(replacement);
        i += n;
        copied = i;
      } else {
        i++;
      }
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  private static boolean matchesAt(String text, int at, String target) {
    for (int j = 0; j < target.length(); j++) {
      if (asciiLower(text.charAt(at + j)) != asciiLower(target.charAt(j))) {
        return false;
      }
    }
    return true;
  }

  private static char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }
}
