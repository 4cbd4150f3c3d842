package org.tempalias.smtp;

import static org.tempalias.smtp.GatewayHarness.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.testsupport.Services;
import org.tempalias.testsupport.TestRedis;

/**
 * The real neighbours of the gateway for mail-path tests: alias-store on a real Redis, and the
 * relay in two instances (test-scope dependencies: the gateway's main code never sees their
 * classes, only their event-bus doors).
 */
final class Backends {
  static final int RELAY_INSTANCES = 2;

  private Backends() {}

  static void deployStore(Vertx vertx, TestRedis redis) {
    deployStore(vertx, redis, new JsonObject());
  }

  static void deployStore(Vertx vertx, TestRedis redis, JsonObject store) {
    Services.deployStore(vertx, redis, store);
  }

  static String deployRelay(Vertx vertx, int smarthostPort, JsonObject extra) {
    return Services.deployRelay(vertx, smarthostPort, RELAY_INSTANCES, extra);
  }

  static String createAlias(Vertx vertx, String target, int maxUsage) {
    JsonObject reply = await(vertx.eventBus().<JsonObject>request(StoreAddress.CREATE,
        new CreateAlias(target, 3_600_000L, maxUsage, null).toJson())).body();
    return CreatedAlias.fromJson(reply).aid();
  }
}
