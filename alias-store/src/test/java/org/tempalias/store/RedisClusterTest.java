package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;

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
import org.tempalias.contract.CreatedAlias;
import redis.embedded.RedisShardedCluster;

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
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop();
    }
  }

  @Override
  StoreClient deployStore(JsonObject settings) {
    JsonArray endpoints = new JsonArray();
    ports.forEach(p -> endpoints.add(TestRedis.url(p)));
    return StoreClient.deploy(ports.get(0),
        new JsonObject().put("redisMode", "cluster").put("redisEndpoints", endpoints).mergeIn(settings));
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
