package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.Replies;

/**
 * One relay transaction as seen from the gateway, following the {@link RelayOp} protocol: RCPT
 * (one or more), DATA, CHUNK (zero or more, at most {@code windowChunks} unacknowledged), END; or
 * ABORT at any point. Every step answers an {@link SmtpReply}; event-bus failures (the relay
 * instance is gone or too slow) become 451 4.4.x here, so callers never see a failed future.
 * Every request, OPEN included, goes through one {@link RelayWatchdog} on the transaction
 * address: a relay that stops answering PING fails the outstanding request within seconds (with
 * the same reply as a timeout), and the transaction is then aborted best effort.
 */
final class RelayLink implements DataChannel {
  private static final Logger LOG = LoggerFactory.getLogger(RelayLink.class);

  private final EventBus bus;
  private final RelayWatchdog watchdog;
  private final String address;
  private final SmtpConfig config;
  private final String transactionId;
  /** The relay takes the data's last bytes with END (else they go as a chunk first). */
  private final boolean endTakesData;
  private long nextSeq;
  private int unacknowledged;
  private boolean closed;
  private boolean abortSent;
  private SmtpReply lost;
  private Runnable onWindowOpen = () -> {};
  private Consumer<SmtpReply> onLost = r -> {};
  private Promise<Void> drained;

  private RelayLink(EventBus bus, RelayWatchdog watchdog, SmtpConfig config, String transactionId,
                    boolean endTakesData) {
    this.endTakesData = endTakesData;
    this.bus = bus;
    this.watchdog = watchdog;
    this.address = watchdog.address();
    this.config = config;
    this.transactionId = transactionId;
    watchdog.onGone(() -> {
      // After END nothing is to be gained: the dot may be out, and an ABORT reaching a relay that
      // was only slow would cut off the smarthost's 250.
      if (!closed) {
        closed = true;
        sendAbort();
      }
    });
  }

  /** The outcome of opening: a link when the smarthost took MAIL FROM, else the reply to give. */
  record Opening(RelayLink link, SmtpReply reply) {}

  /**
   * OPEN, watched on the transaction address the relay registers as soon as it takes the OPEN
   * (the address follows from the transaction id, which must be fresh for every OPEN).
   */
  static Future<Opening> open(Vertx vertx, SmtpConfig config, RelayOpen open) {
    EventBus bus = vertx.eventBus();
    String address = RelayAddress.transaction(open.transactionId());
    RelayWatchdog watchdog = new RelayWatchdog(vertx, config, address, open.transactionId());
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.relayOpenTimeoutMillis());
    return watchdog.watch(() -> bus.<JsonObject>request(RelayAddress.OPEN, open.toJson(), options))
        .map(msg -> {
          RelayOpened opened = RelayOpened.fromJson(msg.body());
          if (opened.reply().isPositive() && opened.address() != null) {
            RelayWatchdog steps = opened.address().equals(address) ? watchdog
                : new RelayWatchdog(vertx, config, opened.address(), open.transactionId());
            return new Opening(new RelayLink(bus, steps, config, open.transactionId(), opened.endTakesData()),
                opened.reply());
          }
          return new Opening(null, opened.reply());
        })
        .recover(err -> {
          LOG.warn("relay open {} failed: {}", open.transactionId(), err.toString());
          // A relay that is alive but slower than our bound (or unreachable only for the PING)
          // may still hold the transaction: ABORT lets it drop it now rather than at its idle timeout.
          abort(bus, config, address);
          return Future.succeededFuture(new Opening(null, Replies.RELAY_UNAVAILABLE));
        });
  }

  Future<SmtpReply> rcpt(String recipient) {
    return step(RelayOp.RCPT, new RelayRcpt(recipient).toJson(), config.relayCommandTimeoutMillis(), Replies.RELAY_UNAVAILABLE);
  }

  Future<SmtpReply> data() {
    return step(RelayOp.DATA, new JsonObject(), config.relayCommandTimeoutMillis(), Replies.RELAY_UNAVAILABLE);
  }

  /**
   * Sends END, with the data's last bytes, once every chunk is acknowledged: the smarthost's reply
   * to the final dot, and whether the message's fate is known. It is not when the relay stopped
   * answering after END went out (its node may have sent the dot before it died), nor when the
   * relay says so.
   */
  Future<FinalReply> end(Buffer last) {
    if (!endTakesData && last.length() > 0) {
      chunk(last);
    }
    Object body = endTakesData ? last : new JsonObject();
    return drained().compose(v -> {
      if (lost != null) {
        return Future.succeededFuture(new FinalReply(lost, true));
      }
      if (watchdog.gone()) {
        // END is not sent to a relay known to be gone: no dot went out.
        return Future.succeededFuture(new FinalReply(Replies.RELAY_LOST, true));
      }
      closed = true;
      DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.relayEndTimeoutMillis())
          .addHeader(RelayOp.HEADER, RelayOp.END.name());
      return watchdog.<Message<JsonObject>>watch(() -> bus.request(address, body, options))
          .map(msg -> FinalReply.fromJson(msg.body()))
          .recover(err -> {
            if (err instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
              // Nobody took END (the relay's transaction had ended, or its node is gone): no dot went out.
              LOG.warn("relay {} END for {}: no handler, not delivered", address, transactionId);
              return Future.succeededFuture(new FinalReply(Replies.RELAY_LOST, true));
            }
            LOG.warn("relay {} END for {} failed, outcome unknown: {}", address, transactionId, err.toString());
            return Future.succeededFuture(new FinalReply(Replies.RELAY_LOST, false));
          });
    });
  }

  /** Drops the upstream transaction; nothing is delivered. Idempotent, never fails. */
  void abort() {
    if (closed) {
      return;
    }
    closed = true;
    sendAbort();
  }

  /** Best effort and not watched: nobody waits for the answer, and a gone relay gives none. */
  private void sendAbort() {
    if (!abortSent) {
      abortSent = true;
      abort(bus, config, address);
    }
  }

  private static void abort(EventBus bus, SmtpConfig config, String address) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.relayCommandTimeoutMillis())
        .addHeader(RelayOp.HEADER, RelayOp.ABORT.name());
    bus.request(address, new JsonObject(), options)
        .onFailure(err -> LOG.debug("relay {} ABORT failed: {}", address, err.toString()));
  }

  @Override
  public void onWindowOpen(Runnable handler) {
    this.onWindowOpen = handler;
  }

  @Override
  public void onLost(Consumer<SmtpReply> handler) {
    this.onLost = handler;
  }

  @Override
  public boolean windowFull() {
    return unacknowledged >= config.windowChunks();
  }

  @Override
  public void chunk(Buffer bytes) {
    if (lost != null || closed) {
      return;
    }
    DeliveryOptions options = new DeliveryOptions()
        .setSendTimeout(config.relayAckTimeoutMillis())
        .addHeader(RelayOp.HEADER, RelayOp.CHUNK.name())
        .addHeader(RelayOp.SEQ_HEADER, Long.toString(nextSeq++));
    unacknowledged++;
    watchdog.<Message<JsonObject>>watch(() -> bus.request(address, bytes, options)).onComplete(ar -> {
      unacknowledged--;
      if (ar.failed()) {
        markLost(Replies.RELAY_LOST, ar.cause().toString());
      } else if (ar.result().body() != null && !ar.result().body().isEmpty()) {
        SmtpReply reply = SmtpReply.fromJson(ar.result().body());
        markLost(reply.isPositive() ? Replies.RELAY_LOST : reply, reply.toString());
      } else if (lost == null) {
        onWindowOpen.run();
      }
      checkDrained();
    });
  }

  private void markLost(SmtpReply reply, String why) {
    if (lost == null) {
      lost = reply;
      LOG.warn("relay {} chunk failed for {}: {}", address, transactionId, why);
      onLost.accept(reply);
    }
  }

  /** Completes once every chunk sent so far is acknowledged (or failed). */
  Future<Void> drained() {
    if (unacknowledged == 0) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    return drained.future();
  }

  private void checkDrained() {
    if (unacknowledged == 0 && drained != null) {
      Promise<Void> p = drained;
      drained = null;
      p.complete();
    }
  }

  private Future<SmtpReply> step(RelayOp op, JsonObject body, long timeout, SmtpReply onFailure) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeout).addHeader(RelayOp.HEADER, op.name());
    return watchdog.<Message<JsonObject>>watch(() -> bus.request(address, body, options))
        .map(RelayLink::replyOf)
        .recover(err -> {
          LOG.warn("relay {} {} for {} failed: {}", address, op, transactionId, err.toString());
          return Future.succeededFuture(onFailure);
        });
  }

  private static SmtpReply replyOf(Message<JsonObject> msg) {
    JsonObject body = msg.body();
    return body == null || body.isEmpty() ? Replies.OK : SmtpReply.fromJson(body);
  }
}
