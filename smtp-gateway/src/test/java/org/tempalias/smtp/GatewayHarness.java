package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Deploys the gateway in-process on port 0 and waits for things with bounds. */
final class GatewayHarness {
  private GatewayHarness() {}

  static JsonObject config(JsonObject smtp) {
    return new JsonObject()
        .put("domains", new JsonArray().add("tempalias.test").add("alias.example"))
        .put("smtp", new JsonObject().put("port", 0).put("hostname", "mx.tempalias.test").mergeIn(smtp));
  }

  static SmtpGatewayVerticle deploy(Vertx vertx, JsonObject smtp) throws Exception {
    SmtpGatewayVerticle verticle = new SmtpGatewayVerticle();
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config(smtp))));
    return verticle;
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
