package org.tempalias.smtp;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.BooleanSupplier;
import org.tempalias.testsupport.Await;
import org.tempalias.testsupport.Ports;

/**
 * Deploys the gateway in-process in the shape the service runs it: several instances sharing one
 * port (by default two), so that state kept per instance cannot hide from a test.
 */
final class GatewayHarness {
  static final int INSTANCES = 2;

  private GatewayHarness() {}

  /** A deployed gateway: its deployment id and the port all its instances share. */
  record Deployed(String deploymentID, int actualPort) {}

  static JsonObject config(JsonObject smtp) {
    return new JsonObject()
        .put("domains", new JsonArray().add("tempalias.test").add("alias.example"))
        .put("smtp", new JsonObject().put("port", Ports.free()).put("hostname", "mx.tempalias.test").mergeIn(smtp));
  }

  static Deployed deploy(Vertx vertx, JsonObject smtp) {
    return deploy(vertx, smtp, INSTANCES);
  }

  static Deployed deploy(Vertx vertx, JsonObject smtp, int instances) {
    return deploy(vertx, smtp, instances, new JsonObject());
  }

  /** With more top-level sections (e.g. {@code srs}). */
  static Deployed deploy(Vertx vertx, JsonObject smtp, int instances, JsonObject topLevel) {
    JsonObject config = config(smtp).mergeIn(topLevel);
    String id = await(vertx.deployVerticle(SmtpGatewayVerticle::new,
        new DeploymentOptions().setInstances(instances).setConfig(config)));
    return new Deployed(id, config.getJsonObject("smtp").getInteger("port"));
  }

  static <T> T await(Future<T> future) {
    return Await.await(future);
  }

  static void waitFor(String what, BooleanSupplier condition) {
    Await.waitFor(what, condition);
  }
}
