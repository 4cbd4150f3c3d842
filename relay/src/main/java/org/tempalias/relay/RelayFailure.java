package org.tempalias.relay;

import org.tempalias.contract.SmtpReply;

/**
 * A failure on the relay's side (smarthost unreachable, silent, gone, TLS or AUTH impossible),
 * carrying the transient reply the gateway passes to its client. RFC 5321 §4.2.1 / RFC 3463:
 * our own outages are always 4xx, so the sending MTA keeps the message and retries.
 */
final class RelayFailure extends Exception {
  // RFC 3463 §3.5 X.4.1 "No answer from host": connect failed or a reply did not come in time.
  static final SmtpReply NO_ANSWER = SmtpReply.of(451, "4.4.1", "Smarthost did not answer, try again later");
  // RFC 3463 §3.5 X.4.2 "Bad connection": the connection broke or the peer spoke garbage.
  static final SmtpReply CONNECTION_LOST = SmtpReply.of(451, "4.4.2", "Connection to the smarthost lost, try again later");
  // RFC 3463 §3.5 X.4.5 "Mail system congestion": every pooled connection is busy.
  static final SmtpReply CONGESTED = SmtpReply.of(451, "4.4.5", "Too many deliveries in progress, try again later");
  // RFC 3463 §3.5 X.4.0: the smarthost refused us before any transaction (greeting, HELO).
  static final SmtpReply REFUSED_US = SmtpReply.of(451, "4.4.0", "Smarthost refused the relay, try again later");
  // RFC 5248 X.7.10 "Encryption needed": STARTTLS is required but not offered or refused.
  static final SmtpReply TLS_UNAVAILABLE = SmtpReply.of(451, "4.7.10", "Smarthost offers no TLS, try again later");
  // RFC 3463 §3.8 X.7.5 "Cryptographic failure": the TLS handshake failed.
  static final SmtpReply TLS_FAILED = SmtpReply.of(451, "4.7.5", "TLS with the smarthost failed, try again later");
  // RFC 3463 §3.8 X.7.0: we have credentials but could not (or would not) authenticate.
  static final SmtpReply AUTH_FAILED = SmtpReply.of(451, "4.7.0", "Authentication at the smarthost failed, try again later");
  // RFC 3463 §3.4 X.3.0: the gateway broke the relay protocol (out-of-order chunk, wrong step).
  static final SmtpReply OUT_OF_SEQUENCE = SmtpReply.of(451, "4.3.0", "Relay transaction out of sequence, try again later");
  // RFC 3463 §3.4 X.3.2 "System not accepting network messages": this relay is stopping.
  static final SmtpReply SHUTTING_DOWN = SmtpReply.of(451, "4.3.2", "Relay shutting down, try again later");

  private final transient SmtpReply reply;

  RelayFailure(SmtpReply reply, String detail) {
    super(detail, null, false, false);
    this.reply = reply;
  }

  SmtpReply reply() {
    return reply;
  }

  /** The reply to hand the gateway for any failure: ours when it is a RelayFailure, else 451 4.4.2. */
  static SmtpReply replyFor(Throwable failure) {
    return failure instanceof RelayFailure relayFailure ? relayFailure.reply() : CONNECTION_LOST;
  }
}
