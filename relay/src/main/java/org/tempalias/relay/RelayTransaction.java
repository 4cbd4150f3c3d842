package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.SmtpReply;

/**
 * One mail transaction at the smarthost, from MAIL FROM to the reply to the final dot, and the
 * one owner of that upstream dialogue. {@link #open} answers the gateway's OPEN; then the
 * gateway's {@link RelayOp} steps arrive on the per-transaction address.
 *
 * <pre>
 *   OPENING --MAIL FROM 250--&gt; ENVELOPE --RCPT*, DATA 354--&gt; DATA --CHUNK*, END--&gt; DONE
 *      \______________ ABORT, idle timeout, failure, stop: DONE (nothing delivered) ___/
 * </pre>
 *
 * OPENING: the address is registered as soon as OPEN arrives, while a pooled connection is taken
 * and MAIL FROM is on its way; only PING and ABORT are taken. Steps run one after another in
 * arrival order; ABORT and PING act at once. Only END sends the final dot. Whatever else ends the
 * transaction drops it upstream: RSET when the connection is between commands, else close.
 */
final class RelayTransaction {
  private static final Logger LOG = LoggerFactory.getLogger(RelayTransaction.class);
  private static final JsonObject ACK = new JsonObject();
  private static final Buffer FINAL_DOT = Buffer.buffer(".\r\n");
  private static final Buffer EMPTY = Buffer.buffer(0);
  // RFC 6531 §3.2 and §3.6 (X.6.7): an SMTPUTF8 message must not go to a server that does not
  // offer SMTPUTF8; the relay cannot downgrade it, so it refuses before taking responsibility.
  static final SmtpReply SMTPUTF8_UNSUPPORTED =
      SmtpReply.of(553, "5.6.7", "SMTPUTF8 required but not supported by the smarthost");
  // RFC 6152 §3: 8-bit data must not be relayed to a server without 8BITMIME; converting it would
  // rewrite the body (and break its DKIM signature), so the message is refused, permanently (RFC
  // 3463 X.6.3 "conversion required but not supported"), before the final dot goes out.
  static final SmtpReply EIGHT_BIT_UNSUPPORTED =
      SmtpReply.of(554, "5.6.3", "8-bit message, but the smarthost does not accept 8BITMIME");
  // RFC 6532 §3 / RFC 6531 §3.2: UTF-8 header fields need SMTPUTF8 end to end.
  static final SmtpReply UTF8_HEADERS_UNSUPPORTED =
      SmtpReply.of(554, "5.6.7", "UTF-8 message headers, but the smarthost does not offer SMTPUTF8");

  private enum State { OPENING, ENVELOPE, DATA, DONE }

  private final Vertx vertx;
  private final RelayConfig config;
  private final ConnectionPool pool;
  private final RelayMetrics metrics;
  private final Consumer<RelayTransaction> onDone;
  private final RelayOpen open;
  private final String transactionId;
  private final String address;
  private final long startedNanos = System.nanoTime();
  private SmtpConnection connection;
  private MessageConsumer<Object> consumer;
  private State state = State.OPENING;
  /** Why the transaction ended while OPEN was still under way: the reply OPEN gets then. */
  private SmtpReply endedWhileOpening = RelayFailure.OUT_OF_SEQUENCE;
  private Future<Void> tail = Future.succeededFuture();
  private int busy;
  private long idleTimer = -1;
  private int recipients;
  private long bytes;
  private long nextSeq;
  /** Set when the hop lacks 8BITMIME or SMTPUTF8 (downgraded): what the chunks hold is checked at END. */
  private ContentScan scan;
  private boolean downgraded;

  RelayTransaction(Vertx vertx, RelayConfig config, ConnectionPool pool, RelayMetrics metrics,
                   RelayOpen open, Consumer<RelayTransaction> onDone) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.metrics = metrics;
    this.open = open;
    this.transactionId = open.transactionId();
    this.address = RelayAddress.transaction(transactionId);
    this.onDone = onDone;
  }

  String transactionId() {
    return transactionId;
  }

  /**
   * Answers OPEN: registers the transaction address, takes a pooled connection and sends MAIL
   * FROM. With the smarthost's 250 the reply carries the address and steps may come; otherwise
   * the address is gone again and the reply says why. Never fails.
   */
  Future<RelayOpened> open() {
    return register()
        .compose(v -> mailFrom(true))
        .map(this::opened)
        .recover(failure -> {
          SmtpReply reply = RelayFailure.replyFor(failure);
          LOG.info("relay transaction {}: not opened, {} ({})", transactionId, reply, failure.getMessage());
          closeUnopened();
          return Future.succeededFuture(new RelayOpened(reply, null));
        });
  }

  /** Drops the transaction without delivering (the relay is stopping). */
  void stop() {
    endedWhileOpening = RelayFailure.SHUTTING_DOWN;
    finish(null, "relay stopping", Reuse.CLOSE);
  }

  /**
   * Registers the transaction address, before any upstream work, so that the gateway can PING it
   * while OPEN is outstanding. Not a local consumer: in a cluster the gateway may run on another
   * node; the gateway's random transaction id alone keeps every step on this instance.
   */
  private Future<Void> register() {
    consumer = vertx.eventBus().consumer(address, this::onMessage);
    return consumer.completion();
  }

  /**
   * MAIL FROM on a pooled connection. A reused connection may have been closed by the smarthost
   * while idle without us noticing yet: when it breaks before answering, try once on a new one.
   * A positive reply leaves {@link #connection} set.
   */
  private Future<SmtpReply> mailFrom(boolean mayRetry) {
    return pool.acquire().compose(acquired -> {
      Capabilities capabilities = acquired.capabilities();
      if (open.smtputf8() && !capabilities.has("SMTPUTF8")) {
        if (!Addresses.isAscii(open.reversePath())) {
          pool.release(acquired);
          return Future.succeededFuture(SMTPUTF8_UNSUPPORTED);
        }
        // An all-ASCII envelope goes without SMTPUTF8; UTF-8 header fields are refused at END.
        downgraded = true;
      }
      if (downgraded || !capabilities.has("8BITMIME")) {
        scan = new ContentScan();
      }
      boolean reused = acquired.transactions() > 0;
      acquired.countTransaction();
      return acquired.command(mailFromLine(open, capabilities), config.mailTimeoutSeconds())
          .compose(reply -> {
            if (reply.isPositive()) {
              connection = acquired;
            } else {
              pool.release(acquired);
            }
            return Future.succeededFuture(reply);
          }, failure -> {
            pool.discard(acquired, "MAIL failed");
            boolean dropped = failure instanceof RelayFailure f && f.reply() == RelayFailure.CONNECTION_LOST;
            return mayRetry && reused && dropped ? mailFrom(false) : Future.failedFuture(failure);
          });
    });
  }

  private RelayOpened opened(SmtpReply mail) {
    if (connection == null) {
      LOG.info("relay transaction {}: MAIL FROM refused, {}", transactionId, mail);
      closeUnopened();
      return new RelayOpened(mail, null);
    }
    if (state == State.DONE) {
      // Ended while MAIL FROM was upstream (ABORT from a gateway that gave up on OPEN, stop): the
      // RSET of the pool cancels the MAIL FROM (RFC 5321 §4.1.1.5).
      pool.release(connection);
      LOG.info("relay transaction {}: not opened, {} (ended while MAIL FROM was upstream)", transactionId,
          endedWhileOpening);
      return new RelayOpened(endedWhileOpening, null);
    }
    state = State.ENVELOPE;
    armIdle();
    return new RelayOpened(mail, address, true);
  }

  /** OPEN did not succeed upstream (refused, failed): forget the address; OPEN's reply says why. */
  private void closeUnopened() {
    if (state != State.DONE) {
      state = State.DONE;
      consumer.unregister();
      onDone.accept(this);
    }
  }

  /** RFC 5321 §4.1.1.2 with RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, each only when offered. */
  static String mailFromLine(RelayOpen open, Capabilities capabilities) {
    StringBuilder line = new StringBuilder("MAIL FROM:<").append(open.reversePath()).append('>');
    if (open.size() > 0 && capabilities.has("SIZE")) {
      line.append(" SIZE=").append(open.size());
    }
    if (Addresses.isKeyword(open.body()) && capabilities.has("8BITMIME")) {
      line.append(" BODY=").append(open.body().toUpperCase(Locale.ROOT));
    }
    if (open.smtputf8() && capabilities.has("SMTPUTF8")) {
      line.append(" SMTPUTF8");
    }
    return line.toString();
  }

  private void onMessage(Message<Object> message) {
    String name = message.headers().get(RelayOp.HEADER);
    if (RelayOp.PING.name().equals(name)) {
      // Answered at once, whatever is in progress: the gateway only learns that this instance is
      // alive. Not activity for the idle timeout (see armIdle).
      message.reply(ACK);
      return;
    }
    if (state == State.DONE) {
      answer(message, RelayFailure.OUT_OF_SEQUENCE, true);
      return;
    }
    RelayOp op;
    try {
      op = RelayOp.valueOf(String.valueOf(name));
    } catch (IllegalArgumentException e) {
      fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "unknown op " + name));
      return;
    }
    if (state == State.OPENING) {
      if (op == RelayOp.ABORT) {
        message.reply(ACK);
        finish(null, "aborted by the gateway while opening", Reuse.CLOSE);
      } else {
        fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, op + " before OPEN was answered"));
      }
      return;
    }
    armIdle();
    switch (op) {
      case ABORT -> onAbort(message);
      case RCPT -> enqueue(message, this::onRcpt);
      case DATA -> enqueue(message, this::onData);
      case CHUNK -> enqueue(message, this::onChunk);
      case END -> enqueue(message, this::onEnd);
      default -> throw new IllegalStateException("unreachable: " + op);
    }
  }

  private void enqueue(Message<Object> message, Function<Message<Object>, Future<Void>> step) {
    busy++;
    tail = tail.transform(ignored -> {
      if (state == State.DONE) {
        answer(message, RelayFailure.OUT_OF_SEQUENCE, true);
        return Future.succeededFuture();
      }
      try {
        return step.apply(message);
      } catch (RuntimeException e) {
        return fail(message, e);
      }
    }).andThen(ar -> {
      busy--;
      armIdle();
    }).otherwiseEmpty();
  }

  private Future<Void> onRcpt(Message<Object> message) {
    if (state != State.ENVELOPE || !(message.body() instanceof JsonObject json)) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "RCPT in state " + state));
    }
    String recipient = RelayRcpt.fromJson(json).recipient();
    if (!Addresses.isSafe(recipient) || recipient.isEmpty()) {
      // RFC 3463 X.1.3 "Bad destination mailbox address syntax": a target no retry can fix.
      message.reply(SmtpReply.of(553, "5.1.3", "Bad destination mailbox address syntax").toJson());
      return Future.succeededFuture();
    }
    if (downgraded && !Addresses.isAscii(recipient)) {
      message.reply(SMTPUTF8_UNSUPPORTED.toJson());
      return Future.succeededFuture();
    }
    return connection.command("RCPT TO:<" + recipient + ">", config.rcptTimeoutSeconds())
        .compose(reply -> {
          if (reply.isPositive()) {
            recipients++;
          }
          message.reply(reply.toJson());
          return Future.<Void>succeededFuture();
        }, failure -> fail(message, failure));
  }

  private Future<Void> onData(Message<Object> message) {
    if (state != State.ENVELOPE) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "DATA in state " + state));
    }
    return connection.command("DATA", config.dataInitTimeoutSeconds())
        .compose(reply -> {
          if (reply.code() == 354) {
            state = State.DATA;
          }
          message.reply(reply.toJson());
          return Future.<Void>succeededFuture();
        }, failure -> fail(message, failure));
  }

  /**
   * Writes the chunk at once (it is already in memory) and acknowledges it only when the socket
   * can take more: the gateway's window of unacknowledged chunks then bounds memory end to end.
   */
  private Future<Void> onChunk(Message<Object> message) {
    if (state != State.DATA || !(message.body() instanceof Buffer chunk)) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "CHUNK in state " + state));
    }
    long seq;
    try {
      seq = Long.parseLong(message.headers().get(RelayOp.SEQ_HEADER));
    } catch (NumberFormatException e) {
      seq = -1;
    }
    if (seq != nextSeq) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "chunk " + seq + " where " + nextSeq + " was due"));
    }
    nextSeq++;
    bytes += chunk.length();
    if (scan != null) {
      scan.feed(chunk);
    }
    connection.write(chunk);
    busy++;
    connection.writable(config.dataBlockTimeoutSeconds()).onComplete(ar -> {
      busy--;
      armIdle();
      if (ar.succeeded()) {
        message.reply(ACK);
      } else {
        fail(message, ar.cause());
      }
    });
    return Future.succeededFuture();
  }

  /**
   * The final dot, unless the content needs what the smarthost lacks (then the message is refused
   * and the connection, mid-DATA, closed). Answered with a {@link FinalReply}: once the dot went
   * out, a failure leaves the outcome unknown (the smarthost may have the message).
   */
  private Future<Void> onEnd(Message<Object> message) {
    if (state != State.DATA) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "END in state " + state));
    }
    if (!connection.usable()) {
      // The smarthost connection broke while we waited for END: no dot went out, nothing is delivered.
      return fail(message,
          new RelayFailure(RelayFailure.CONNECTION_LOST, "smarthost connection lost before the final dot"));
    }
    // The data's last bytes may come with END (a gateway before that sends an empty JSON object).
    Buffer last = message.body() instanceof Buffer b ? b : EMPTY;
    bytes += last.length();
    if (scan != null) {
      scan.feed(last);
    }
    SmtpReply refusal = contentRefusal();
    if (refusal != null) {
      message.reply(new FinalReply(refusal, true).toJson());
      finish(refusal, "refused before the final dot: " + refusal, Reuse.CLOSE);
      return Future.succeededFuture();
    }
    // One write for the last bytes and the dot: a small message is one CHUNK-less END.
    connection.write(last.length() == 0 ? FINAL_DOT
        : Buffer.buffer(last.length() + FINAL_DOT.length()).appendBuffer(last).appendBuffer(FINAL_DOT));
    return connection.reply(config.endOfDataTimeoutSeconds(), "end of data")
        .compose(reply -> {
          message.reply(new FinalReply(reply, true).toJson());
          // RFC 5321 §4.1.1.4: the reply to the dot ends the transaction upstream either way, so
          // the connection goes back to the pool as it is, without an RSET; but a 421 closes the
          // connection (RFC 5321 §3.8): not one to keep.
          finish(reply, reply.isPositive() ? "delivered" : "refused at end of data",
              reply.code() != 421 ? Reuse.AS_IS : Reuse.CLOSE);
          return Future.<Void>succeededFuture();
        }, failure -> unknownOutcome(message, failure));
  }

  private SmtpReply contentRefusal() {
    if (scan == null) {
      return null;
    }
    if (downgraded && scan.eightBitHeader()) {
      return UTF8_HEADERS_UNSUPPORTED;
    }
    return scan.eightBit() && !connection.capabilities().has("8BITMIME") ? EIGHT_BIT_UNSUPPORTED : null;
  }

  /** The dot went out and its reply did not come back: nobody can say whether it was delivered. */
  private Future<Void> unknownOutcome(Message<Object> message, Throwable failure) {
    SmtpReply reply = RelayFailure.replyFor(failure);
    answer(message, reply, false);
    finish(reply, "outcome unknown after the final dot: " + failure.getMessage(), Reuse.CLOSE);
    return Future.succeededFuture();
  }

  private void onAbort(Message<Object> message) {
    message.reply(ACK);
    finish(null, "aborted by the gateway", reuseBeforeData());
  }

  /**
   * (Re)starts the idle timeout; called for every step, never for PING. A gateway pings only
   * while one of its requests is outstanding, and then this transaction is busy (the timer only
   * re-arms itself) or OPEN is still running (no timer yet). Counting PING would let a gateway
   * that lost track of a transaction yet keeps pinging hold a smarthost connection for ever.
   */
  private void armIdle() {
    if (idleTimer != -1) {
      vertx.cancelTimer(idleTimer);
    }
    if (state == State.DONE || state == State.OPENING) {
      idleTimer = -1;
      return;
    }
    idleTimer = vertx.setTimer(config.idleTimeoutSeconds() * 1000L, t -> {
      idleTimer = -1;
      if (busy > 0) {
        armIdle(); // waiting on the smarthost, which has timeouts of its own
      } else {
        finish(null, "gateway silent for " + config.idleTimeoutSeconds() + " s", reuseBeforeData());
      }
    });
  }

  /** Between commands and outside DATA, RSET can cancel the upstream transaction; else close. */
  private Reuse reuseBeforeData() {
    return state == State.ENVELOPE && busy == 0 && connection.usable() ? Reuse.RESET : Reuse.CLOSE;
  }

  private Future<Void> fail(Message<Object> message, Throwable failure) {
    SmtpReply reply = RelayFailure.replyFor(failure);
    answer(message, reply, true);
    finish(reply, failure.getMessage(), Reuse.CLOSE);
    return Future.succeededFuture();
  }

  /** A failure's reply in the shape of the step: a {@link FinalReply} to END, else the reply. */
  private static void answer(Message<Object> message, SmtpReply reply, boolean outcomeKnown) {
    boolean end = RelayOp.END.name().equals(message.headers().get(RelayOp.HEADER));
    message.reply(end ? new FinalReply(reply, outcomeKnown).toJson() : reply.toJson());
  }

  /** What becomes of the smarthost connection when the transaction ends. */
  private enum Reuse {
    /** Back to the pool as it is: the smarthost ended its transaction (it answered the dot). */
    AS_IS,
    /** Back to the pool after an RSET: the transaction is between commands upstream. */
    RESET,
    /** Closed: in the middle of DATA, broken, or not ours to keep. */
    CLOSE
  }

  private void finish(SmtpReply upstream, String outcome, Reuse reuse) {
    if (state == State.DONE) {
      return;
    }
    boolean opening = state == State.OPENING;
    state = State.DONE;
    if (idleTimer != -1) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
    consumer.unregister();
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    LOG.info("relay transaction {} ({}): {}, recipients={}, bytes={}, upstream={}, {} ms",
        transactionId, address, outcome, recipients, bytes, upstream == null ? "-" : upstream, millis);
    if (!opening) {
      // While OPENING the connection is not ours yet: opened() hands it back when MAIL is answered.
      switch (reuse) {
        case AS_IS -> pool.giveBack(connection);
        case RESET -> pool.release(connection);
        case CLOSE -> pool.discard(connection, "transaction ended: " + outcome);
      }
      metrics.transaction(upstream, bytes);
    }
    onDone.accept(this);
  }
}
