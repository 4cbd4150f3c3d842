package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.SmtpReply;

/**
 * One mail transaction at the smarthost, driven by the gateway's {@link RelayOp} steps on its
 * per-transaction address. States: OPENING (the address is registered as soon as OPEN arrives,
 * while MAIL FROM is still on its way: only PING and ABORT are taken), ENVELOPE (RCPT, DATA),
 * DATA (CHUNK, END), DONE. Steps run one after another in arrival order; ABORT and PING act at
 * once.
 *
 * <p>Only END sends the final dot. Whatever else ends the transaction (ABORT, the idle timeout,
 * a failure, stop) drops it upstream: RSET when the connection is between commands, else close.
 */
final class RelayTransaction {
  private static final Logger LOG = LoggerFactory.getLogger(RelayTransaction.class);
  private static final JsonObject ACK = new JsonObject();
  private static final Buffer FINAL_DOT = Buffer.buffer(".\r\n");

  private enum State { OPENING, ENVELOPE, DATA, DONE }

  private final Vertx vertx;
  private final RelayConfig config;
  private final ConnectionPool pool;
  private final RelayMetrics metrics;
  private final Consumer<RelayTransaction> onDone;
  private final String transactionId;
  private final String address;
  private final long startedNanos = System.nanoTime();
  private SmtpConnection connection;
  private MessageConsumer<Object> consumer;
  private State state = State.OPENING;
  private Future<Void> tail = Future.succeededFuture();
  private int busy;
  private long idleTimer = -1;
  private int recipients;
  private long bytes;
  private long nextSeq;

  RelayTransaction(Vertx vertx, RelayConfig config, ConnectionPool pool, RelayMetrics metrics,
                   String transactionId, Consumer<RelayTransaction> onDone) {
    this.vertx = vertx;
    this.config = config;
    this.pool = pool;
    this.metrics = metrics;
    this.transactionId = transactionId;
    this.address = RelayAddress.transaction(transactionId);
    this.onDone = onDone;
  }

  String address() {
    return address;
  }

  String transactionId() {
    return transactionId;
  }

  /**
   * Registers the transaction address, before any upstream work, so that the gateway can PING it
   * while OPEN is outstanding. Not a local consumer: in a cluster the gateway may run on another
   * node; the gateway's random transaction id alone keeps every step on this instance.
   */
  Future<Void> start() {
    consumer = vertx.eventBus().consumer(address, this::onMessage);
    return consumer.completion();
  }

  /**
   * The smarthost accepted MAIL FROM on this connection: steps may come. False when the
   * transaction ended meanwhile (ABORT from a gateway that gave up on OPEN, relay stopping); the
   * connection then goes back to the pool, whose RSET cancels the MAIL FROM (RFC 5321 §4.1.1.5).
   */
  boolean attach(SmtpConnection accepted) {
    if (state == State.DONE) {
      pool.release(accepted);
      return false;
    }
    connection = accepted;
    state = State.ENVELOPE;
    armIdle();
    return true;
  }

  /** OPEN did not succeed upstream (refused, failed): forget the address; OPEN's reply says why. */
  void closeUnopened() {
    if (state != State.DONE) {
      state = State.DONE;
      consumer.unregister();
      onDone.accept(this);
    }
  }

  /** Drops the transaction without delivering (relay stopping). */
  void abort(String why) {
    finish(null, why, false);
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
      message.reply(RelayFailure.OUT_OF_SEQUENCE.toJson());
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
        finish(null, "aborted by the gateway while opening", false);
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
        message.reply(RelayFailure.OUT_OF_SEQUENCE.toJson());
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

  private Future<Void> onEnd(Message<Object> message) {
    if (state != State.DATA) {
      return fail(message, new RelayFailure(RelayFailure.OUT_OF_SEQUENCE, "END in state " + state));
    }
    connection.write(FINAL_DOT);
    return connection.reply(config.endOfDataTimeoutSeconds(), "end of data")
        .compose(reply -> {
          message.reply(reply.toJson());
          // RFC 5321 §4.1.1.4: the reply to the dot ends the transaction upstream either way.
          finish(reply, reply.isPositive() ? "delivered" : "refused at end of data", true);
          return Future.<Void>succeededFuture();
        }, failure -> fail(message, failure));
  }

  private void onAbort(Message<Object> message) {
    message.reply(ACK);
    finish(null, "aborted by the gateway", reusable());
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
        finish(null, "gateway silent for " + config.idleTimeoutSeconds() + " s", reusable());
      }
    });
  }

  /** Between commands and outside DATA, RSET can cancel the upstream transaction; else close. */
  private boolean reusable() {
    return state == State.ENVELOPE && busy == 0 && connection.usable();
  }

  private Future<Void> fail(Message<Object> message, Throwable failure) {
    SmtpReply reply = RelayFailure.replyFor(failure);
    message.reply(reply.toJson());
    finish(reply, failure.getMessage(), false);
    return Future.succeededFuture();
  }

  private void finish(SmtpReply upstream, String outcome, boolean reuse) {
    if (state == State.DONE) {
      return;
    }
    state = State.DONE;
    if (idleTimer != -1) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
    consumer.unregister();
    long millis = (System.nanoTime() - startedNanos) / 1_000_000;
    LOG.info("relay transaction {} ({}): {}, recipients={}, bytes={}, upstream={}, {} ms",
        transactionId, address, outcome, recipients, bytes, upstream == null ? "-" : upstream, millis);
    if (connection != null) {
      // Without a connection OPEN is still running: attach() hands it back when it arrives.
      if (reuse) {
        pool.release(connection);
      } else {
        pool.discard(connection, "transaction ended: " + outcome);
      }
      metrics.transaction(upstream, bytes);
    }
    onDone.accept(this);
  }
}
