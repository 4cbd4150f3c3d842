package org.tempalias.smtp;

import static org.tempalias.testsupport.Await.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.Services;
import org.tempalias.testsupport.TestRedis;

/**
 * A whole mail path on its own Vert.x, in the shape the service runs: the real store on the given
 * Redis, two relay instances to a scripted smarthost, two gateway instances. Each test that needs
 * its own settings builds one.
 */
final class Stack implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final ScriptedSmarthost smarthost = new ScriptedSmarthost();
  final int port;

  Stack(TestRedis redis, JsonObject store, JsonObject relay, JsonObject smtp) {
    this(redis, store, relay, smtp, new JsonObject());
  }

  /** With more top-level sections for the gateway (e.g. {@code srs}). */
  Stack(TestRedis redis, JsonObject store, JsonObject relay, JsonObject smtp, JsonObject topLevel) {
    await(smarthost.start(vertx));
    Services.deployStore(vertx, redis, store);
    Backends.deployRelay(vertx, smarthost.port(), relay);
    port = GatewayHarness.deploy(vertx, smtp, GatewayHarness.INSTANCES, topLevel).actualPort();
  }

  /** The alias's uses left, as GET /aliases/{aid} reports them. */
  int usesLeft(CreatedAlias alias) {
    return AliasStatus.fromJson(await(vertx.eventBus().<JsonObject>request(StoreAddress.GET,
        new AliasKey(alias.aid(), alias.updateKey()).toJson())).body()).usesLeft();
  }

  /** An alias for an hour with {@code maxUsage} uses. */
  CreatedAlias alias(String target, int maxUsage) {
    return CreatedAlias.fromJson(await(vertx.eventBus().<JsonObject>request(StoreAddress.CREATE,
        new CreateAlias(target, 3_600_000L, maxUsage, null).toJson())).body());
  }

  void delete(CreatedAlias alias) {
    await(vertx.eventBus().request(StoreAddress.DELETE, new AliasKey(alias.aid(), alias.updateKey()).toJson()));
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}
