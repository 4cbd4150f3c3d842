package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxException;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.RelayOp;

/**
 * Tells a relay that is slow from one that is gone, for one relay transaction address. The
 * relay's own bounds towards the smarthost are minutes long (RFC 5321 §4.5.3.2), so the gateway's
 * request timeouts must be longer still; but a relay node that was killed never answers, and a
 * clustered event bus drops messages to it without a word. So while any request on the address
 * (OPEN or a step) has been outstanding for {@code relayProbeAfterMillis}, and then every
 * {@code relayProbeIntervalMillis}, the address gets a {@link RelayOp#PING} bounded by
 * {@code relayProbeTimeoutMillis}. A live relay answers PING at once, whatever it is waiting for;
 * when a PING fails (no handler, timeout, anything) every outstanding request fails with
 * {@link RelayGone} and later requests fail without being sent.
 *
 * <p>One timer per address, not per request: a stream of quickly acknowledged chunks keeps the
 * oldest outstanding request young, so it costs no PING at all. Not thread-safe: used only on the
 * session's event loop.
 */
final class RelayWatchdog {
  private static final Logger LOG = LoggerFactory.getLogger(RelayWatchdog.class);

  /** The relay holding the transaction did not answer PING. */
  static final class RelayGone extends VertxException {
    RelayGone(String message, Throwable cause) {
      super(message, cause, true);
    }
  }

  private final Vertx vertx;
  private final SmtpConfig config;
  private final String address;
  private final String transactionId;
  private final Map<Promise<?>, Long> outstanding = new LinkedHashMap<>();
  private Runnable onGone = () -> {};
  private long timer = -1;
  private boolean pinging;
  private RelayGone gone;

  RelayWatchdog(Vertx vertx, SmtpConfig config, String address, String transactionId) {
    this.vertx = vertx;
    this.config = config;
    this.address = address;
    this.transactionId = transactionId;
  }

  String address() {
    return address;
  }

  /** Whether a failed PING showed the relay gone (then nothing more is sent). */
  boolean gone() {
    return gone != null;
  }

  /** Runs once when a failed PING failed the outstanding requests (e.g. to send ABORT). */
  void onGone(Runnable handler) {
    this.onGone = handler;
  }

  /**
   * Sends a request and watches it: the result is the request's own, unless a PING fails first.
   * Once the relay is known to be gone, nothing is sent.
   */
  <T> Future<T> watch(Supplier<Future<T>> request) {
    if (gone != null) {
      return Future.failedFuture(gone);
    }
    Promise<T> promise = Promise.promise();
    outstanding.put(promise, System.nanoTime());
    if (timer == -1 && !pinging) {
      arm(config.relayProbeAfterMillis());
    }
    request.get().onComplete(ar -> {
      if (outstanding.remove(promise) != null) {
        if (outstanding.isEmpty()) {
          cancel();
        }
        promise.handle(ar);
      }
    });
    return promise.future();
  }

  private void arm(long delayMillis) {
    timer = vertx.setTimer(Math.max(1, delayMillis), id -> {
      timer = -1;
      due();
    });
  }

  private void cancel() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  private void due() {
    if (outstanding.isEmpty() || gone != null) {
      return;
    }
    long oldestMillis = (System.nanoTime() - outstanding.values().iterator().next()) / 1_000_000;
    if (oldestMillis < config.relayProbeAfterMillis()) {
      arm(config.relayProbeAfterMillis() - oldestMillis);
      return;
    }
    pinging = true;
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(config.relayProbeTimeoutMillis())
        .addHeader(RelayOp.HEADER, RelayOp.PING.name());
    vertx.eventBus().request(address, new JsonObject(), options).onComplete(ar -> {
      pinging = false;
      if (outstanding.isEmpty()) {
        return; // everything was answered meanwhile: the PING's outcome no longer matters
      }
      if (ar.succeeded()) {
        if (timer == -1) {
          arm(config.relayProbeIntervalMillis());
        }
      } else {
        declareGone(ar.cause());
      }
    });
  }

  private void declareGone(Throwable cause) {
    gone = new RelayGone("no answer to PING", cause);
    cancel();
    List<Promise<?>> failed = new ArrayList<>(outstanding.keySet());
    outstanding.clear();
    LOG.warn("relay transaction {} did not answer PING ({}): relay treated as gone, {} outstanding request(s) failed",
        transactionId, cause.getMessage(), failed.size());
    for (Promise<?> promise : failed) {
      promise.tryFail(gone);
    }
    onGone.run();
  }
}
