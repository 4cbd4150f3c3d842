package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.concurrent.TimeUnit;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.ClaimRef;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.SettleReply;
import org.tempalias.contract.SettleRequest;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import org.tempalias.testsupport.TestRedis;

/**
 * A Vert.x instance with one StoreVerticle deployed, driven over the event bus exactly as the
 * other modules drive it, plus a raw Redis client to look behind the store's back.
 */
final class StoreClient implements AutoCloseable {
  static final long BOUND_SECONDS = 10;
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(BOUND_SECONDS * 1000);

  final Vertx vertx;
  final Redis raw;

  private StoreClient(Vertx vertx, Redis raw) {
    this.vertx = vertx;
    this.raw = raw;
  }

  static StoreClient deploy(int redisPort, JsonObject storeSettings) {
    return deploy(new StoreVerticle(), redisPort, storeSettings);
  }

  static StoreClient deploy(StoreVerticle verticle, int redisPort, JsonObject storeSettings) {
    return deploy(verticle, redisPort, storeSettings, new JsonObject().put("required", false));
  }

  /** With a {@code confirm} section (the other tests leave confirmation off: it has its own). */
  static StoreClient deploy(StoreVerticle verticle, int redisPort, JsonObject storeSettings, JsonObject confirm) {
    Vertx vertx = Vertx.vertx();
    JsonObject store = new JsonObject().put("redisUrl", TestRedis.url(redisPort)).mergeIn(storeSettings);
    await(vertx.deployVerticle(verticle, new DeploymentOptions().setConfig(
        new JsonObject().put("store", store).put("confirm", confirm))));
    return new StoreClient(vertx, Redis.createClient(vertx, TestRedis.url(redisPort)));
  }

  static <T> T await(Future<T> future) {
    try {
      return future.await(BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within " + BOUND_SECONDS + " s: " + e, e);
    }
  }

  Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, DELIVERY).map(m -> m.body());
  }

  CreatedAlias create(String target, long lifetimeMillis, int maxUsage) {
    return create(new CreateAlias(target, lifetimeMillis, maxUsage, null));
  }

  CreatedAlias create(CreateAlias req) {
    return CreatedAlias.fromJson(await(request(StoreAddress.CREATE, req.toJson())));
  }

  Future<ClaimReply> claimAsync(String aid) {
    return request(StoreAddress.CLAIM, new ClaimRequest(aid, "tx-test").toJson()).map(ClaimReply::fromJson);
  }

  ClaimReply claim(String aid) {
    return await(claimAsync(aid));
  }

  /** A claim the caller names, as the gateway does. */
  Future<ClaimReply> claimAsync(String aid, String claimId) {
    return request(StoreAddress.CLAIM, new ClaimRequest(aid, claimId, "tx-test").toJson()).map(ClaimReply::fromJson);
  }

  /** A claim name as the gateway makes them. */
  static String newClaimName() {
    return java.util.UUID.randomUUID().toString();
  }

  ClaimState.State renew(String aid, String claimId) {
    return ClaimState.fromJson(await(request(StoreAddress.RENEW, new ClaimRef(aid, claimId, 0).toJson()))).state();
  }

  ClaimState.State commit(String aid, String claimId, long holdMillis) {
    return ClaimState.fromJson(await(request(StoreAddress.COMMIT, new ClaimRef(aid, claimId, holdMillis).toJson())))
        .state();
  }

  Future<Boolean> settleAsync(String aid, String claimId, SettleRequest.Settlement settlement) {
    return request(StoreAddress.SETTLE, new SettleRequest(aid, claimId, settlement).toJson())
        .map(json -> SettleReply.fromJson(json).settled());
  }

  boolean settle(String aid, String claimId, SettleRequest.Settlement settlement) {
    return await(settleAsync(aid, claimId, settlement));
  }

  AliasStatus get(String aid, String updateKey) {
    return AliasStatus.fromJson(await(request(StoreAddress.GET, new AliasKey(aid, updateKey).toJson())));
  }

  void delete(String aid, String updateKey) {
    await(request(StoreAddress.DELETE, new AliasKey(aid, updateKey).toJson()));
  }

  /** The StoreError a request fails with; fails the test if it succeeds. */
  StoreError failureOf(String address, JsonObject body) {
    try {
      request(address, body).await(BOUND_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      return StoreError.of(e);
    }
    return fail("expected " + address + " to fail for " + body);
  }

  Response redis(Request request) {
    return await(raw.send(request));
  }

  @Override
  public void close() {
    await(raw.close());
    await(vertx.close());
  }

  static void assertClaimed(ClaimReply reply) {
    assertThat(reply.outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
    assertThat(reply.claimId()).isNotBlank();
  }
}
