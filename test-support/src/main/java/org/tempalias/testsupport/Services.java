package org.tempalias.testsupport;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/**
 * Deploys the real neighbours a module's tests need, by verticle class name (this module depends
 * on none of them; the test classpath has them), in the shape the service runs: one store, and
 * relays and gateways in several instances.
 */
public final class Services {
  public static final String STORE = "org.tempalias.store.StoreVerticle";
  public static final String RELAY = "org.tempalias.relay.RelayVerticle";
  public static final String GATEWAY = "org.tempalias.smtp.SmtpGatewayVerticle";

  private Services() {}

  /**
   * The store on {@code redis}, no creation limit, targets need no confirmation (the tests of
   * confirmation say otherwise); {@code store} adds or overrides keys.
   */
  public static String deployStore(Vertx vertx, TestRedis redis, JsonObject store) {
    return deployStore(vertx, redis, store, new JsonObject().put("required", false));
  }

  /** With this {@code confirm} section. */
  public static String deployStore(Vertx vertx, TestRedis redis, JsonObject store, JsonObject confirm) {
    JsonObject section = new JsonObject().put("redisUrl", redis.url()).put("createLimitPerMinute", 0).mergeIn(store);
    return deploy(vertx, STORE, 1, new JsonObject().put("store", section).put("confirm", confirm));
  }

  /** {@code instances} relays to the smarthost on {@code smarthostPort}. */
  public static String deployRelay(Vertx vertx, int smarthostPort, int instances, JsonObject relay) {
    JsonObject section = new JsonObject().put("smarthost", "127.0.0.1:" + smarthostPort).put("ehloName", "relay.test")
        .mergeIn(relay);
    return deploy(vertx, RELAY, instances, new JsonObject().put("relay", section));
  }

  public static String deploy(Vertx vertx, String verticle, int instances, JsonObject config) {
    return Await.await(vertx.deployVerticle(verticle, new DeploymentOptions().setInstances(instances).setConfig(config)));
  }
}
