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
    return createAlias(vertx, new CreateAlias(target, 3_600_000L, maxUsage, null));
  }

  static String createAlias(Vertx vertx, CreateAlias create) {
    JsonObject reply = await(vertx.eventBus().<JsonObject>request(StoreAddress.CREATE, create.toJson())).body();
    return CreatedAlias.fromJson(reply).aid();
  }

  /** The alias's status as its owner sees it. */
  static org.tempalias.contract.AliasStatus status(Vertx vertx, String aid, String updateKey) {
    return org.tempalias.contract.AliasStatus.fromJson(await(vertx.eventBus().<JsonObject>request(StoreAddress.GET,
        new org.tempalias.contract.AliasKey(aid, updateKey).toJson())).body());
  }

  static CreatedAlias create(Vertx vertx, CreateAlias create) {
    return CreatedAlias.fromJson(await(vertx.eventBus().<JsonObject>request(StoreAddress.CREATE, create.toJson())).body());
  }
}
