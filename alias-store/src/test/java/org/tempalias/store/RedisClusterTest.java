package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.CreatedAlias;
import redis.embedded.RedisShardedCluster;
import org.tempalias.testsupport.TestRedis;

/** The same semantics on a real three-master Redis Cluster: every script call stays in one slot. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RedisClusterTest extends UsageSemantics {
  private static RedisShardedCluster cluster;
  private static List<Integer> ports;

  @BeforeAll
  static void startCluster() throws Exception {
    ports = clusterPorts(3);
    // The port provider must be set before the shards: each shard takes its ports when declared.
    cluster = RedisShardedCluster.newRedisCluster()
        .serverPorts(ports)
        .shard("a", 0).shard("b", 0).shard("c", 0)
        .initializationTimeout(Duration.ofSeconds(30))
        .build();
    cluster.start();
    awaitConvergence();
  }

  /**
   * embedded-redis returns from start() once one node answers a GET, not when every node has
   * learnt the whole cluster: a node that has not yet met a peer reports cluster_state:fail and
   * answers CLUSTERDOWN for several seconds, which vertx-redis-client retries with backoff past
   * redisTimeoutMillis. Tests start only when every node knows all masters and all 16384 slots.
   */
  private static void awaitConvergence() {
    Vertx vertx = Vertx.vertx();
    try {
      long deadline = System.currentTimeMillis() + 30_000;
      for (int port : ports) {
        Redis node = Redis.createClient(vertx, TestRedis.url(port));
        try {
          String info = "";
          while (!converged(info)) {
            assertThat(System.currentTimeMillis()).as("cluster converged, node %d: %s", port, info)
                .isLessThan(deadline);
            vertx.timer(50).await();
            info = StoreClient.await(node.send(Request.cmd(Command.CLUSTER).arg("INFO"))).toString();
          }
        } finally {
          StoreClient.await(node.close());
        }
      }
    } finally {
      StoreClient.await(vertx.close());
    }
  }

  private static boolean converged(String clusterInfo) {
    return clusterInfo.contains("cluster_state:ok")
        && clusterInfo.contains("cluster_slots_ok:16384")
        && clusterInfo.contains("cluster_known_nodes:" + ports.size());
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Override
  StoreClient deployStore(JsonObject settings) {
    return deployStore(settings, new JsonObject().put("required", false));
  }

  @Override
  StoreClient deployStore(JsonObject settings, JsonObject confirm) {
    JsonArray endpoints = new JsonArray();
    ports.forEach(p -> endpoints.add(TestRedis.url(p)));
    return StoreClient.deploy(new StoreVerticle(), ports.get(0),
        new JsonObject().put("redisMode", "cluster").put("redisEndpoints", endpoints).mergeIn(settings), confirm);
  }

  @Test
  void aliasesSpreadOverEveryMasterAndStayUsable() {
    List<CreatedAlias> aliases = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      CreatedAlias a = store.create(TARGET, HOUR, 2);
      StoreClient.assertClaimed(store.claim(a.aid()));
      aliases.add(a);
    }
    for (CreatedAlias a : aliases) {
      assertThat(store.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(1);
    }
    for (int port : ports) {
      Redis node = Redis.createClient(store.vertx, TestRedis.url(port));
      try {
        assertThat(StoreClient.await(node.send(Request.cmd(Command.DBSIZE))).toInteger())
            .as("keys on the master at port %d", port).isPositive();
      } finally {
        StoreClient.await(node.close());
      }
    }
  }

  /**
   * More calls at once than the client has connections per node, for longer than its 1 s
   * hash-slot cache: in vertx-redis-client 5.0.x a slot refresh then waits for a pooled connection
   * held by calls that wait for the refresh, and the client hangs for good unless the store keeps
   * calls below the pool size (RedisGate).
   */
  @Test
  void burstsLongerThanTheSlotCacheNeverHang() {
    CreatedAlias a = store.create(TARGET, HOUR, 0);
    long end = System.currentTimeMillis() + 3_500;
    int rounds = 0;
    while (System.currentTimeMillis() < end) {
      List<Future<ClaimReply>> burst = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        burst.add(store.claimAsync(i % 2 == 0 ? a.aid() : "zzzzzzzzz" + (i % 10)));
      }
      StoreClient.await(Future.all(burst));
      rounds++;
    }
    assertThat(rounds).isPositive();
    assertThat(store.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(50 * rounds);
  }

  /**
   * Free ports whose cluster bus port (port + 10000) is free too; below the ephemeral range so a
   * port handed out meanwhile to someone else's socket is unlikely.
   */
  private static List<Integer> clusterPorts(int count) throws IOException {
    List<Integer> found = new ArrayList<>();
    while (found.size() < count) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 30_000);
      if (!found.contains(port) && free(port) && free(port + 10_000)) {
        found.add(port);
      }
    }
    return found;
  }

  private static boolean free(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort() == port;
    } catch (IOException e) {
      return false;
    }
  }
}
