package org.tempalias.smtp;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gateway's limits for one node, shared by every instance of one deployment in the JVM (one
 * per core): sessions in total and per client, and open upstream transactions per client. Kept
 * per instance they would grow with the number of cores. A client is its IPv4 address, or its
 * IPv6 /64 (one host usually holds a whole /64). Thread-safe: instances run on different event
 * loops.
 */
final class NodeLimits implements Shareable {
  private static final String MAP = "tempalias.smtp.limits";

  private final SmtpConfig config;
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger users = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perClient = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> transactionsPerClient = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Deque<Waiter>> waiting = new ConcurrentHashMap<>();

  private NodeLimits(SmtpConfig config) {
    this.config = config;
  }

  /** The limits of this deployment, created by its first instance (its configuration counts). */
  static NodeLimits join(Vertx vertx, String deploymentId, SmtpConfig config) {
    LocalMap<String, NodeLimits> map = vertx.sharedData().getLocalMap(MAP);
    NodeLimits limits = map.computeIfAbsent(deploymentId, k -> new NodeLimits(config));
    limits.users.incrementAndGet();
    return limits;
  }

  /** Called by each instance's stop(); the last one forgets the limits. */
  void leave(Vertx vertx, String deploymentId) {
    if (users.decrementAndGet() == 0) {
      vertx.sharedData().<String, NodeLimits>getLocalMap(MAP).remove(deploymentId, this);
    }
  }

  /** Admits a session, or says which limit refuses it: "refused_total" or "refused_ip". */
  String admit(String client) {
    if (sessions.incrementAndGet() > config.maxConnections()) {
      sessions.decrementAndGet();
      return "refused_total";
    }
    if (!acquire(perClient, client, config.maxConnectionsPerIp())) {
      sessions.decrementAndGet();
      return "refused_ip";
    }
    return null;
  }

  void sessionClosed(String client) {
    sessions.decrementAndGet();
    release(perClient, client);
  }

  int sessions() {
    return sessions.get();
  }

  /**
   * One more open upstream transaction for this client. When it holds its share already it waits,
   * in order, up to {@code waitMillis} for one of its own to end (a fast sender's transactions end
   * within milliseconds; a client that leaves them open waits in vain). Completes true with the
   * slot (release it with {@link #transactionClosed}), false when the wait ran out; on the caller's
   * context.
   */
  Future<Boolean> openTransaction(String client, long waitMillis) {
    if (acquire(transactionsPerClient, client, config.maxTransactionsPerClient())) {
      return Future.succeededFuture(true);
    }
    Context context = Vertx.currentContext();
    if (waitMillis <= 0 || context == null) {
      return Future.succeededFuture(false);
    }
    Waiter waiter = new Waiter(context);
    Deque<Waiter> queue = waiting.computeIfAbsent(client, k -> new ConcurrentLinkedDeque<>());
    queue.add(waiter);
    waiter.timer = context.owner().setTimer(waitMillis, t -> {
      if (waiter.claim()) {
        queue.remove(waiter);
        waiter.promise.complete(false);
      }
    });
    // A slot freed between the first try and joining the queue would wake no one: try once more.
    if (acquire(transactionsPerClient, client, config.maxTransactionsPerClient())) {
      if (waiter.claim()) {
        queue.remove(waiter);
        context.owner().cancelTimer(waiter.timer);
        waiter.promise.complete(true);
      } else {
        transactionClosed(client); // someone handed us a slot meanwhile: this one is spare
      }
    }
    return waiter.promise.future();
  }

  /** The client's transaction ended: its slot goes to its longest waiter, or is free. */
  void transactionClosed(String client) {
    Deque<Waiter> queue = waiting.get(client);
    for (Waiter next = queue == null ? null : queue.poll(); next != null; next = queue.poll()) {
      if (next.claim()) {
        Waiter handed = next;
        handed.context.runOnContext(v -> {
          handed.context.owner().cancelTimer(handed.timer);
          handed.promise.complete(true);
        });
        return;
      }
    }
    release(transactionsPerClient, client);
  }

  /** A session waiting for one of its client's slots, on its own event loop. */
  private static final class Waiter {
    final Context context;
    final Promise<Boolean> promise = Promise.promise();
    final AtomicBoolean done = new AtomicBoolean();
    volatile long timer;

    Waiter(Context context) {
      this.context = context;
    }

    /** True for exactly one of: the hand-over of a slot, the end of the wait. */
    boolean claim() {
      return done.compareAndSet(false, true);
    }
  }

  private static boolean acquire(ConcurrentHashMap<String, AtomicInteger> counts, String client, int max) {
    boolean[] admitted = new boolean[1];
    counts.compute(client, (k, n) -> {
      AtomicInteger count = n == null ? new AtomicInteger() : n;
      admitted[0] = count.get() < max;
      if (admitted[0]) {
        count.incrementAndGet();
      }
      return count.get() == 0 ? null : count;
    });
    return admitted[0];
  }

  private static void release(ConcurrentHashMap<String, AtomicInteger> counts, String client) {
    counts.computeIfPresent(client, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }
}
