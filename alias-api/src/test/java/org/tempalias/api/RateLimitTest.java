package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.api.TestSupport.await;
import static org.tempalias.api.TestSupport.json;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.Ports;
import org.tempalias.testsupport.TestRedis;

/**
 * The creation rate limit (3 per client IP per minute here) through the API, and which address
 * counts as the client: the socket peer, or the right-most untrusted X-Forwarded-For hop when the
 * peer is a trusted proxy.
 */
@Timeout(60)
class RateLimitTest {
  private static final String BODY = "{\"target\":\"me@example.org\",\"max-usage\":1}";
  private static TestRedis redis;
  private static Vertx vertx;
  private static WebClient behindProxy;
  private static WebClient direct;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    int redisPort = redis.port();
    vertx = Vertx.vertx();
    TestSupport.deployStore(vertx, redisPort, 3);
    // The tests connect from 127.0.0.1: a trusted proxy for one API instance, a stranger to the other.
    behindProxy = TestSupport.client(vertx, TestSupport.deployApi(vertx,
        new JsonObject().put("trustedProxies", new JsonArray().add("127.0.0.0/8"))));
    direct = TestSupport.client(vertx, TestSupport.deployApi(vertx, new JsonObject()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
    if (redis != null) {
      redis.stop();
    }
  }

  private static HttpResponse<Buffer> create(WebClient client, String forwardedFor) {
    var request = client.post("/aliases").putHeader("Content-Type", "application/json");
    if (forwardedFor != null) {
      request.putHeader("X-Forwarded-For", forwardedFor);
    }
    return await(request.sendBuffer(Buffer.buffer(BODY)));
  }

  @Test
  void fourthCreationInAMinuteIsRateLimited() {
    for (int i = 0; i < 3; i++) {
      assertThat(create(behindProxy, "203.0.113.10").statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = create(behindProxy, "203.0.113.10");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(json(limited).getString("error")).isEqualTo("rate-limited");
    assertThat(json(limited).getString("description")).isNotBlank();
    assertThat(limited.getHeader("Retry-After")).isEqualTo("60");
    // Another client behind the same proxy is not affected.
    assertThat(create(behindProxy, "203.0.113.11").statusCode()).isEqualTo(200);
  }

  @Test
  void anIpv6ClientIsCountedByItsSlash64() {
    // One host hands itself a fresh address from its /64 for each request: still one client.
    for (int i = 1; i <= 3; i++) {
      assertThat(create(behindProxy, "2001:db8:aa:bb::" + Integer.toHexString(i * 4099)).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = create(behindProxy, "2001:db8:aa:bb:ffff:1234:5678:9abc");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(json(limited).getString("error")).isEqualTo("rate-limited");
    assertThat(create(behindProxy, "2001:db8:aa:bc::1").statusCode()).as("the next /64 is another client").isEqualTo(200);
  }

  @Test
  void trustedProxyHopsAreSkippedAndForgedLeftHopsIgnored() {
    // The client forges a different address on each request; our proxy appends the real one.
    for (int i = 0; i < 3; i++) {
      assertThat(create(behindProxy, "198.51.100." + i + ", 203.0.113.20, 127.0.0.2").statusCode()).isEqualTo(200);
    }
    assertThat(create(behindProxy, "198.51.100.99, 203.0.113.20").statusCode()).isEqualTo(429);
  }

  @Test
  void forwardedForFromAnUntrustedPeerDoesNotEscapeTheLimit() {
    for (int i = 0; i < 3; i++) {
      assertThat(create(direct, "198.51.100." + (10 + i)).statusCode()).isEqualTo(200);
    }
    HttpResponse<Buffer> limited = create(direct, "198.51.100.50");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(json(limited).getString("error")).isEqualTo("rate-limited");
  }
}
