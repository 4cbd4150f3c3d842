package org.tempalias.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeoutException;

/**
 * Keeps fewer calls in flight on a cluster client than its pool has connections per node.
 *
 * <p>Why: in vertx-redis-client 5.0.x a connection-less {@code send} in cluster mode takes one
 * pooled connection to every master, then waits for the hash-slot table, which is dropped every
 * {@code hashSlotCacheTTL} (1 s). Re-reading it needs one more connection to the first endpoint.
 * When more calls than {@code redisMaxPoolSize} are in flight, all of that node's connections are
 * held by calls waiting for the table while the refresh queues behind them in the pool: every call
 * of that client hangs for good (upstream fix 259a1157, in no 5.0.x release). With at most
 * {@code redisMaxPoolSize - 1} calls in flight the pool always has a free connection for the
 * refresh; the rest wait here, in order, within the same {@code redisTimeoutMillis} bound.
 */
final class RedisGate {
  private final Redis redis;
  private final int maxInFlight;
  private final int maxWaiting;
  private final long timeoutMillis;
  private final Deque<Waiting> waiting = new ArrayDeque<>();
  private int inFlight;

  private record Waiting(Request request, Promise<Response> promise, long deadline) {}

  RedisGate(Redis redis, int maxInFlight, int maxWaiting, long timeoutMillis) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
    }
    this.redis = redis;
    this.maxInFlight = maxInFlight;
    this.maxWaiting = maxWaiting;
    this.timeoutMillis = timeoutMillis;
  }

  Future<Response> send(Request request) {
    synchronized (this) {
      if (inFlight < maxInFlight) {
        inFlight++;
      } else if (waiting.size() >= maxWaiting) {
        return Future.failedFuture("more than " + maxWaiting + " Redis calls waiting");
      } else {
        Promise<Response> promise = Promise.promise();
        waiting.add(new Waiting(request, promise, System.currentTimeMillis() + timeoutMillis));
        return promise.future();
      }
    }
    return start(request);
  }

  private Future<Response> start(Request request) {
    Future<Response> call;
    try {
      call = redis.send(request);
    } catch (RuntimeException e) {
      call = Future.failedFuture(e);
    }
    return call.andThen(done -> next());
  }

  private void next() {
    Waiting w;
    synchronized (this) {
      w = waiting.poll();
      while (w != null && System.currentTimeMillis() >= w.deadline()) {
        // Its caller has already been answered UNAVAILABLE; sending it late would only add load.
        w.promise().tryFail(new TimeoutException("waited " + timeoutMillis + " ms for a Redis connection"));
        w = waiting.poll();
      }
      if (w == null) {
        inFlight--;
        return;
      }
    }
    start(w.request()).onComplete(w.promise());
  }
}
