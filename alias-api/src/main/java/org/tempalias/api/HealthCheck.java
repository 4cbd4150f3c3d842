package org.tempalias.api;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.tempalias.contract.StoreAddress;

/**
 * What {@code GET /health} reports. One {@link StoreAddress#PING} tells both things: an answer
 * proves a store consumer is registered (the store registers all its addresses together), and the
 * store answers successfully only after Redis answered PING.
 */
final class HealthCheck {
  static final String UP = "UP";
  static final String DOWN = "DOWN";
  static final String UNKNOWN = "UNKNOWN";

  private final EventBus eventBus;
  private final long timeoutMillis;

  HealthCheck(EventBus eventBus, long timeoutMillis) {
    this.eventBus = eventBus;
    this.timeoutMillis = timeoutMillis;
  }

  /** Always succeeds, with {@code {"status", "checks": {"store": {...}, "redis": {...}}}}. */
  Future<JsonObject> run() {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMillis);
    return eventBus.request(StoreAddress.PING, new JsonObject(), options)
        .transform(ar -> Future.succeededFuture(report(ar.failed() ? ar.cause() : null)));
  }

  private JsonObject report(Throwable failure) {
    JsonObject store = storeCheck(failure);
    JsonObject redis = redisCheck(failure);
    boolean up = UP.equals(store.getString("status")) && UP.equals(redis.getString("status"));
    return new JsonObject()
        .put("status", up ? UP : DOWN)
        .put("checks", new JsonObject().put("store", store).put("redis", redis));
  }

  private JsonObject storeCheck(Throwable failure) {
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
      return down("no consumer on " + StoreAddress.PING);
    }
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
      return down("no answer on " + StoreAddress.PING + " within " + timeoutMillis + " ms");
    }
    if (failure != null && !(failure instanceof ReplyException)) {
      return down(StoreAddress.PING + " failed: " + failure.getMessage());
    }
    return new JsonObject().put("status", UP);
  }

  private JsonObject redisCheck(Throwable failure) {
    if (failure == null) {
      return new JsonObject().put("status", UP);
    }
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      return down("the store cannot reach Redis: " + re.getMessage());
    }
    return new JsonObject().put("status", UNKNOWN).put("reason", "the store did not answer");
  }

  private static JsonObject down(String reason) {
    return new JsonObject().put("status", DOWN).put("reason", reason);
  }
}
