package org.tempalias.api;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.function.BooleanSupplier;
import org.tempalias.store.StoreVerticle;
import org.tempalias.testsupport.Await;

/** Blocking helpers for tests that drive the API from the JUnit thread (never an event loop). */
final class TestSupport {
  private TestSupport() {}

  /**
   * Vert.x built the way the launcher must build it for {@code /metrics}: Micrometer metrics with
   * the Prometheus backend enabled.
   */
  static Vertx vertxWithMetrics() {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setEnabled(true);
    return Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(metrics))
        .withMetrics(new MicrometerMetricsFactory())
        .build();
  }

  /** Deploys the real store on {@code vertx}, talking to Redis on {@code redisPort}. */
  static void deployStore(Vertx vertx, int redisPort, int createLimitPerMinute) {
    JsonObject config = new JsonObject().put("store", new JsonObject()
        .put("redisUrl", "redis://127.0.0.1:" + redisPort)
        .put("redisTimeoutMillis", 1000)
        .put("createLimitPerMinute", createLimitPerMinute))
        .put("confirm", new JsonObject().put("required", false));
    await(vertx.deployVerticle(new StoreVerticle(), new DeploymentOptions().setConfig(config)));
  }

  static <T> T await(Future<T> future) {
    return Await.await(future);
  }

  static void waitFor(BooleanSupplier condition, String what) {
    Await.waitFor(what, condition);
  }

  /** Deploys an ApiVerticle on port 0 with the given http section, returns it once listening. */
  static ApiVerticle deployApi(Vertx vertx, JsonObject http) {
    JsonObject config = new JsonObject()
        .put("domains", new io.vertx.core.json.JsonArray().add("alias.test"))
        .put("http", http.copy().put("host", "127.0.0.1").put("port", 0));
    ApiVerticle api = new ApiVerticle();
    await(vertx.deployVerticle(api, new DeploymentOptions().setConfig(config)));
    return api;
  }

  static WebClient client(Vertx vertx, ApiVerticle api) {
    return WebClient.create(vertx, new WebClientOptions()
        .setDefaultHost("127.0.0.1")
        .setDefaultPort(api.port())
        .setConnectTimeout(5000)
        .setIdleTimeout(10));
  }

  static HttpResponse<Buffer> postJson(WebClient client, String body) {
    return await(client.post("/aliases")
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body)));
  }

  static JsonObject json(HttpResponse<Buffer> response) {
    return response.bodyAsJsonObject();
  }
}
