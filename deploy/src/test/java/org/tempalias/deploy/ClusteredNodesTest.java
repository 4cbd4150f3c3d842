package org.tempalias.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.TestRedis;

/**
 * Separate Vert.x nodes clustered over Hazelcast on loopback, one role each: api, store, smtp and
 * two relays, a real Redis and a real SMTP sink. An alias created over HTTP on the api node is
 * delivered through the smtp node and a relay node; then a relay leaves, the store node goes away
 * and comes back, and Redis restarts, and each time the service defers (4xx/503) and recovers
 * without restarting anything.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class ClusteredNodesTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final String FROM = "sender@example.net";
  private static final String MESSAGE = "Subject: clustered\n\nhello\n";

  @TempDir Path dir;
  private final List<Service> nodes = new ArrayList<>();
  private Vertx sinkVertx;
  private TestRedis redis;

  @AfterEach
  void stopAll() throws Exception {
    for (int i = nodes.size() - 1; i >= 0; i--) {
      await(nodes.get(i).stop().recover(e -> Future.succeededFuture()));
    }
    if (redis != null) {
      redis.stop();
    }
    if (sinkVertx != null) {
      await(sinkVertx.close());
    }
  }

  @Test
  void rolesOnSeparateNodesDeliverAndRecoverFromLostRelaysStoresAndRedis() throws Exception {
    sinkVertx = Vertx.vertx();
    Path mailbox = Files.createDirectories(dir.resolve("sink"));
    NetServer sink = await(new DevMailSink(mailbox).listen(sinkVertx, 0));
    redis = TestRedis.persistent(Files.createDirectories(dir.resolve("redis")));
    int redisPort = redis.port();
    String name = "test-" + System.nanoTime();
    Map<String, String> toRedis = Map.of("TEMPALIAS_REDIS_URL", "redis://127.0.0.1:" + redisPort);
    Map<String, String> toSink = Map.of("TEMPALIAS_SMARTHOST", "127.0.0.1:" + sink.actualPort());

    Service api = start(name, "api", Map.of());
    Service store = start(name, "store", toRedis);
    Service smtp = start(name, "smtp", Map.of());
    Service relay1 = start(name, "relay", toSink);
    start(name, "relay", toSink);

    String address = createAlias(api.httpPort()).getString("address");
    int delivered = 0;
    assertThat(deliverWithRetries(smtp.smtpPort(), address)).startsWith("250");
    awaitMessages(mailbox, ++delivered);

    // A relay node leaves while another lives: delivery goes on through the other one.
    stopNode(relay1);
    for (int i = 0; i < 4; i++) {
      assertThat(deliverWithRetries(smtp.smtpPort(), address)).startsWith("250");
      awaitMessages(mailbox, ++delivered);
    }

    // The store node is gone: RCPT is deferred, the API answers 503; both recover on their own.
    stopNode(store);
    assertThat(LineClient.deliver(smtp.smtpPort(), FROM, address, MESSAGE)).startsWith("451 4.3.0");
    assertThat(createAliasStatus(api.httpPort())).isEqualTo(503);
    start(name, "store", toRedis);
    awaitCreateStatus(api.httpPort(), 200);
    assertThat(deliverWithRetries(smtp.smtpPort(), address)).startsWith("250");
    awaitMessages(mailbox, ++delivered);

    // Redis restarts: temporary errors during the outage, then everything works, no restarts.
    redis.stop();
    assertThat(LineClient.deliver(smtp.smtpPort(), FROM, address, MESSAGE)).startsWith("451 4.3.0");
    assertThat(createAliasStatus(api.httpPort())).isEqualTo(503);
    redis.restart();
    awaitCreateStatus(api.httpPort(), 200);
    assertThat(deliverWithRetries(smtp.smtpPort(), address)).startsWith("250");
    awaitMessages(mailbox, ++delivered);
  }

  private void stopNode(Service node) throws Exception {
    await(node.stop());
    nodes.remove(node);
  }

  private Service start(String clusterName, String roles, Map<String, String> extraEnv) throws Exception {
    Map<String, String> env = new HashMap<>(Map.of(
        "TEMPALIAS_HTTP_PORT", "0",
        "TEMPALIAS_SMTP_PORT", "0",
        "TEMPALIAS_CREATE_LIMIT_PER_MINUTE", "0",
        // Clustering is the subject here; ConfirmationFlowTest covers confirmation.
        "TEMPALIAS_CONFIRM_TARGETS", "false",
        "TEMPALIAS_DATA_DIR", dir.resolve("data-" + nodes.size()).toString()));
    env.putAll(extraEnv);
    Settings settings = Settings.load(new String[] {
        "--cluster", "--cluster-host", "127.0.0.1", "--cluster-members", "127.0.0.1",
        "--cluster-name", clusterName, "--roles", roles, "--instances", roles.replace(",", "=1,") + "=1"}, env);
    Service service = await(Service.start(settings));
    nodes.add(service);
    return service;
  }

  private static HttpResponse<String> postAlias(int httpPort) throws Exception {
    return HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/aliases"))
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(20))
            .POST(HttpRequest.BodyPublishers.ofString(
                new JsonObject().put("target", "me@example.org").put("max-usage", 20).put("days", 1).encode()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonObject createAlias(int httpPort) throws Exception {
    HttpResponse<String> response = postAlias(httpPort);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return new JsonObject(response.body());
  }

  private static int createAliasStatus(int httpPort) throws Exception {
    return postAlias(httpPort).statusCode();
  }

  private static void awaitCreateStatus(int httpPort, int status) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (createAliasStatus(httpPort) != status) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("POST /aliases did not answer " + status + " within " + BOUND);
      }
      Thread.sleep(200);
    }
  }

  /**
   * Delivers like a sending MTA: a 4xx (a relay that just left, subscriptions still settling) is
   * retried; anything else is the answer.
   */
  private static String deliverWithRetries(int smtpPort, String to) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    String reply;
    do {
      reply = LineClient.deliver(smtpPort, FROM, to, MESSAGE);
      if (!reply.startsWith("4")) {
        return reply;
      }
      Thread.sleep(200);
    } while (System.nanoTime() < deadline);
    return reply;
  }

  private static void awaitMessages(Path mailbox, int count) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(mailbox)) {
        long n = files.count();
        if (n >= count) {
          assertThat(n).as("never more messages than acknowledged").isEqualTo(count);
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("sink did not receive " + count + " messages within " + BOUND);
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(BOUND.toSeconds(), TimeUnit.SECONDS);
  }
}
