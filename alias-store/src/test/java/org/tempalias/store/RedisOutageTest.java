package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.store.StoreClient.assertClaimed;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import org.tempalias.testsupport.TestRedis;

/** Redis goes away and comes back: requests fail UNAVAILABLE within the bound, then recover. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisOutageTest {
  private static final long TIMEOUT_MILLIS = 500;
  private static final JsonObject SETTINGS = new JsonObject().put("redisTimeoutMillis", TIMEOUT_MILLIS);

  private TestRedis server;
  private StoreClient store;

  @AfterEach
  void cleanUp() throws Exception {
    if (store != null) {
      store.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  @Test
  void requestsFailUnavailableDuringAnOutageAndRecoverWithoutARestart() throws Exception {
    server = TestRedis.start();
    store = StoreClient.deploy(server.port(), SETTINGS);
    CreatedAlias a = store.create("me@example.org", 3_600_000, 5);
    assertClaimed(store.claim(a.aid()));

    server.stop();
    for (var request : List.of(
        new Object[] {StoreAddress.PING, new JsonObject()},
        new Object[] {StoreAddress.CLAIM, new ClaimRequest(a.aid(), "tx").toJson()},
        new Object[] {StoreAddress.CREATE, new CreateAlias("me@example.org", 60_000, 1, "192.0.2.1").toJson()})) {
      long started = System.nanoTime();
      assertThat(store.failureOf((String) request[0], (JsonObject) request[1])).isEqualTo(StoreError.UNAVAILABLE);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
          .as("answered within the bound").isLessThan(TIMEOUT_MILLIS + 1_500);
    }

    server.restart();
    awaitPing();
    CreatedAlias b = store.create("me@example.org", 3_600_000, 1);
    assertClaimed(store.claim(b.aid()));
  }

  @Test
  void startSucceedsWhileRedisIsDownAndServesOnceItIsUp() throws Exception {
    server = TestRedis.onFreePort();
    store = StoreClient.deploy(server.port(), SETTINGS);
    assertThat(store.failureOf(StoreAddress.PING, new JsonObject())).isEqualTo(StoreError.UNAVAILABLE);

    server.restart();
    awaitPing();
    CreatedAlias a = store.create("me@example.org", 3_600_000, 1);
    assertClaimed(store.claim(a.aid()));
  }

  @Test
  void aRedisThatNeverAnswersFailsWithinTheBound() {
    Vertx peerVertx = Vertx.vertx();
    try {
      // A peer that accepts connections and reads commands but never says a word.
      NetServer silent = StoreClient.await(peerVertx.createNetServer()
          .connectHandler(socket -> socket.handler(bytes -> { }))
          .listen(0, "127.0.0.1"));
      store = StoreClient.deploy(silent.actualPort(), SETTINGS);
      for (int i = 0; i < 3; i++) {
        long started = System.nanoTime();
        assertThat(store.failureOf(StoreAddress.CLAIM, new ClaimRequest("abcdefghij", "tx").toJson()))
            .isEqualTo(StoreError.UNAVAILABLE);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
            .isBetween(TIMEOUT_MILLIS - 50, TIMEOUT_MILLIS + 1_500);
      }
    } finally {
      StoreClient.await(peerVertx.close());
    }
  }

  private void awaitPing() {
    long deadline = System.currentTimeMillis() + 15_000;
    while (true) {
      try {
        store.request(StoreAddress.PING, new JsonObject()).await(2, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        if (System.currentTimeMillis() > deadline) {
          throw new AssertionError("store did not recover within 15 s: " + e, e);
        }
      }
    }
  }
}
