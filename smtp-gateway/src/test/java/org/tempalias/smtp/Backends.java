package org.tempalias.smtp;

import static org.tempalias.smtp.GatewayHarness.await;

import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.relay.RelayVerticle;
import org.tempalias.store.StoreVerticle;
import redis.embedded.RedisServer;

/**
 * The real neighbours of the gateway for mail-path tests: an embedded Redis, alias-store's
 * StoreVerticle and relay's RelayVerticle (test-scope dependencies: the gateway's main code never
 * sees their classes, only their event-bus doors).
 */
final class Backends {
  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static RedisServer startRedis(int port) throws Exception {
    RedisServer redis = RedisServer.newRedisServer().port(port).setting("save \"\"").setting("appendonly no").build();
    redis.start();
    return redis;
  }

  static void deployStore(Vertx vertx, int redisPort) throws Exception {
    deploy(vertx, new StoreVerticle(), new JsonObject().put("store", new JsonObject()
        .put("redisUrl", "redis://127.0.0.1:" + redisPort)
        .put("createLimitPerMinute", 0)));
  }

  static void deployRelay(Vertx vertx, int smarthostPort, JsonObject extra) throws Exception {
    deploy(vertx, new RelayVerticle(), new JsonObject().put("relay", new JsonObject()
        .put("smarthost", "127.0.0.1:" + smarthostPort).mergeIn(extra)));
  }

  private static void deploy(Vertx vertx, Deployable verticle, JsonObject config) throws Exception {
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(config)));
  }

  static String createAlias(Vertx vertx, String target, int maxUsage) throws Exception {
    JsonObject reply = await(vertx.eventBus().<JsonObject>request(StoreAddress.CREATE,
        new CreateAlias(target, 3_600_000L, maxUsage, null).toJson())).body();
    return CreatedAlias.fromJson(reply).aid();
  }
}
