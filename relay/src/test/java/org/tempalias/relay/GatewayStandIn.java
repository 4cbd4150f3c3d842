package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.SmtpReply;

/** Plays the gateway's side of the relay door, blocking the test thread on each step. */
final class GatewayStandIn {
  private final Vertx vertx;

  GatewayStandIn(Vertx vertx) {
    this.vertx = vertx;
  }

  Future<RelayOpened> openAsync(RelayOpen open) {
    return vertx.eventBus().<JsonObject>request(RelayAddress.OPEN, open.toJson(), new DeliveryOptions().setSendTimeout(20_000))
        .map(m -> RelayOpened.fromJson(m.body()));
  }

  RelayOpened open(RelayOpen open) {
    return await(openAsync(open));
  }

  RelayOpened open(String transactionId, String from) {
    return open(new RelayOpen(transactionId, from, 0, null, false));
  }

  SmtpReply rcpt(String address, String recipient) {
    return SmtpReply.fromJson(await(step(address, RelayOp.RCPT, new RelayRcpt(recipient).toJson())));
  }

  SmtpReply data(String address) {
    return SmtpReply.fromJson(await(step(address, RelayOp.DATA, new JsonObject())));
  }

  JsonObject chunk(String address, long seq, Buffer bytes) {
    return await(chunkAsync(address, seq, bytes));
  }

  Future<JsonObject> chunkAsync(String address, long seq, Buffer bytes) {
    DeliveryOptions options = new DeliveryOptions().addHeader(RelayOp.HEADER, RelayOp.CHUNK.name())
        .addHeader(RelayOp.SEQ_HEADER, Long.toString(seq)).setSendTimeout(20_000);
    return vertx.eventBus().<JsonObject>request(address, bytes, options).map(Message::body);
  }

  SmtpReply end(String address) {
    return endFinal(address).reply();
  }

  FinalReply endFinal(String address) {
    return FinalReply.fromJson(await(step(address, RelayOp.END, new JsonObject())));
  }

  JsonObject abort(String address) {
    return await(step(address, RelayOp.ABORT, new JsonObject()));
  }

  /** PING with a short bound, as the gateway's probe does. */
  Future<JsonObject> ping(String address) {
    DeliveryOptions options = new DeliveryOptions().addHeader(RelayOp.HEADER, RelayOp.PING.name()).setSendTimeout(2_000);
    return vertx.eventBus().<JsonObject>request(address, new JsonObject(), options).map(Message::body);
  }

  /** END carrying the data's last bytes, as the gateway sends it. */
  FinalReply endFinal(String address, Buffer last) {
    DeliveryOptions options = new DeliveryOptions().addHeader(RelayOp.HEADER, RelayOp.END.name()).setSendTimeout(20_000);
    return FinalReply.fromJson(await(vertx.eventBus().<JsonObject>request(address, last, options).map(Message::body)));
  }

  Future<JsonObject> step(String address, RelayOp op, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().addHeader(RelayOp.HEADER, op.name()).setSendTimeout(20_000);
    return vertx.eventBus().<JsonObject>request(address, body, options).map(Message::body);
  }

  /** Sends the chunks one by one and ends: the happy path of one message. */
  SmtpReply send(String address, List<Buffer> chunks) {
    for (int i = 0; i < chunks.size(); i++) {
      JsonObject ack = chunk(address, i, chunks.get(i));
      if (ack.containsKey("code")) {
        return SmtpReply.fromJson(ack);
      }
    }
    return end(address);
  }

  /**
   * Streams {@code count} chunks with at most {@code window} unacknowledged, as the gateway
   * does, on the event loop; the counters let a test watch the window.
   */
  static final class Pump {
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger acked = new AtomicInteger();
    final AtomicInteger maxOutstanding = new AtomicInteger();
    final Promise<Void> done = Promise.promise();
    private final GatewayStandIn gateway;
    private final String address;
    private final int count;
    private final int window;
    private final LongFunction<Buffer> chunk;

    Pump(GatewayStandIn gateway, String address, int count, int window, LongFunction<Buffer> chunk) {
      this.gateway = gateway;
      this.address = address;
      this.count = count;
      this.window = window;
      this.chunk = chunk;
    }

    Pump start() {
      gateway.vertx.runOnContext(v -> fill());
      return this;
    }

    int outstanding() {
      return sent.get() - acked.get();
    }

    private void fill() {
      while (sent.get() - acked.get() < window && sent.get() < count) {
        int seq = sent.getAndIncrement();
        maxOutstanding.accumulateAndGet(sent.get() - acked.get(), Math::max);
        gateway.chunkAsync(address, seq, chunk.apply(seq)).onComplete(ar -> {
          if (ar.failed() || ar.result().containsKey("code")) {
            done.tryFail(ar.failed() ? ar.cause() : new IllegalStateException("chunk refused: " + ar.result()));
            return;
          }
          if (acked.incrementAndGet() == count) {
            done.tryComplete();
          } else {
            fill();
          }
        });
      }
    }
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(30, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  /** Polls a condition with a bound: the way to wait without sleep-then-assert. */
  static void waitUntil(String what, Duration bound, BooleanSupplier condition) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not reached within " + bound + ": " + what);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
