package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.contract.SettleRequest.Settlement.USED;
import static org.tempalias.store.StoreClient.assertClaimed;
import static org.tempalias.store.StoreClient.await;
import static org.tempalias.store.UsageSemantics.HOUR;
import static org.tempalias.store.UsageSemantics.TARGET;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import redis.embedded.RedisSentinel;
import redis.embedded.RedisServer;
import org.tempalias.testsupport.TestRedis;
import org.tempalias.testsupport.Ports;

/**
 * A real Sentinel deployment on loopback: a master, one replica and three sentinels (quorum 2),
 * and one store deployed once per test. The master dies, or the sentinels are told to switch
 * over; the store, never restarted, answers UNAVAILABLE within its bound meanwhile, then serves
 * from the promoted replica with the data written before.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisSentinelTest {
  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelTest.class);
  private static final String MASTER_NAME = "tempalias";
  private static final long TIMEOUT_MILLIS = 500;
  /** A request answered later than this has hung past the store's bound. */
  private static final long ANSWER_BOUND_MILLIS = TIMEOUT_MILLIS + 1_500;
  private static final long DOWN_AFTER_MILLIS = 1_000;
  /**
   * How long the replica may take to report itself promoted before the failover is abandoned
   * (a slow INFO round on a loaded machine must not abort it), and half the pause before a
   * sentinel tries again after a failed election.
   */
  private static final long FAILOVER_TIMEOUT_MILLIS = 5_000;
  private static final int SENTINELS = 3;

  private final List<RedisSentinel> sentinels = new ArrayList<>();
  private final List<Integer> sentinelPorts = new ArrayList<>();
  private RedisServer master;
  private RedisServer replica;
  private int masterPort;
  private int replicaPort;
  private StoreClient store;
  /** For the test's own looks at the servers, independent of the store's Vert.x. */
  private final Vertx probes = Vertx.vertx();

  @BeforeEach
  void startSentinelGroupAndStore() throws Exception {
    startReplicationGroup();
    JsonArray endpoints = new JsonArray();
    sentinelPorts.forEach(p -> endpoints.add(TestRedis.url(p)));
    store = StoreClient.deploy(masterPort, new JsonObject()
        .put("redisMode", "sentinel")
        .put("redisEndpoints", endpoints)
        .put("redisMasterName", MASTER_NAME)
        .put("redisTimeoutMillis", TIMEOUT_MILLIS));
  }

  @AfterEach
  void stopEverything() throws IOException {
    if (store != null) {
      store.close();
    }
    await(probes.close());
    for (RedisSentinel sentinel : sentinels) {
      sentinel.stop();
    }
    for (RedisServer server : new RedisServer[] {replica, master}) {
      if (server != null && server.isActive()) {
        server.stop();
      }
    }
  }

  @Test
  void theStoreFollowsAFailoverAfterTheMasterDiesAndKeepsItsData() throws IOException {
    CreatedAlias before = store.create(TARGET, HOUR, 5);
    ClaimReply spent = store.claim(before.aid());
    assertClaimed(spent);
    assertThat(store.settle(before.aid(), spent.claimId(), USED)).isTrue();
    ClaimReply open = store.claim(before.aid());
    assertClaimed(open);
    assertThat(exists(masterPort, before)).as("the store writes to the master").isTrue();
    awaitReplicated();

    master.stop();
    long killed = System.nanoTime();
    List<Long> failureMillis = new ArrayList<>();
    CreatedAlias after = createUntilServed(failureMillis, created -> true);
    LOG.info("failover: {} requests failed UNAVAILABLE (slowest {} ms), store served again {} ms after the master died",
        failureMillis.size(), failureMillis.stream().mapToLong(Long::longValue).max().orElse(0),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));
    assertThat(failureMillis).as("requests that failed while there was no master").isNotEmpty();

    awaitCondition("every sentinel names the replica as master", () -> {
      assertSentinelsName(replicaPort);
      return true;
    });
    assertThat(exists(replicaPort, after)).as("written to the promoted replica").isTrue();
    assertThat(store.get(before.aid(), before.updateKey()))
        .isEqualTo(new AliasStatus(before.aid(), TARGET, before.createdAtMillis(), before.expiresAtMillis(), 5, 3, 1, 1));
    assertThat(store.settle(before.aid(), open.claimId(), USED))
        .as("a claim taken before the failover settles after it").isTrue();
    assertThat(store.get(before.aid(), before.updateKey()).forwarded()).isEqualTo(2);
    ClaimReply claim = store.claim(after.aid());
    assertClaimed(claim);
    assertThat(store.settle(after.aid(), claim.claimId(), USED)).isTrue();
    assertThat(store.get(after.aid(), after.updateKey()).usesLeft()).isEqualTo(1);
    await(store.request(StoreAddress.PING, new JsonObject()));
  }

  /**
   * A switchover ({@code SENTINEL FAILOVER}) leaves the old master running and reachable, demoted
   * to a replica: the store must leave its connections to it for the new master, not keep
   * talking to a node that now refuses writes.
   */
  @Test
  void theStoreFollowsASwitchoverWhileTheOldMasterStaysUp() {
    CreatedAlias before = store.create(TARGET, HOUR, 3);
    ClaimReply open = store.claim(before.aid());
    assertClaimed(open);
    awaitReplicated();

    assertThat(send(sentinelPorts.get(0), Request.cmd(Command.SENTINEL).arg("FAILOVER").arg(MASTER_NAME))
        .toString()).isEqualTo("OK");
    awaitCondition("every sentinel names the replica as master", () -> {
      assertSentinelsName(replicaPort);
      return true;
    });
    createUntilServed(new ArrayList<>(), created -> exists(replicaPort, created));
    // Sentinel demotes the old master only on its next INFO round (up to 10 s later); until then it
    // still takes writes, so a store that kept its old connections would go on writing there.
    assertThat(master.isActive()).isTrue();
    for (int i = 0; i < 10; i++) {
      CreatedAlias a = store.create(TARGET, HOUR, 1);
      assertThat(exists(replicaPort, a)).as("alias %d written to the new master", i).isTrue();
    }
    assertThat(store.get(before.aid(), before.updateKey()).usesInFlight()).isEqualTo(1);
    assertThat(store.settle(before.aid(), open.claimId(), USED)).isTrue();
    assertThat(store.get(before.aid(), before.updateKey()).usesLeft()).isEqualTo(2);
  }

  /**
   * Creates until one succeeds and {@code done} accepts it; every failure meanwhile must be
   * UNAVAILABLE and every answer (failure or not) must come within the store's bound.
   */
  private CreatedAlias createUntilServed(List<Long> failureMillis, Predicate<CreatedAlias> done) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
    while (true) {
      assertThat(System.nanoTime()).as("the store served from the new master within 25 s").isLessThan(deadline);
      long started = System.nanoTime();
      CreatedAlias created = null;
      try {
        created = CreatedAlias.fromJson(store.request(StoreAddress.CREATE,
            new CreateAlias(TARGET, HOUR, 2, null).toJson()).await(10, TimeUnit.SECONDS));
      } catch (Exception e) {
        assertThat(StoreError.of(e)).as("failure during the failover: %s", e).isEqualTo(StoreError.UNAVAILABLE);
        failureMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started))
          .as("answered within the bound").isLessThan(ANSWER_BOUND_MILLIS);
      if (created != null && done.test(created)) {
        return created;
      }
      pace(100);
    }
  }

  /** Replication is asynchronous: the replica must hold every write before the master goes. */
  private void awaitReplicated() {
    assertThat(send(masterPort, Request.cmd(Command.WAIT).arg(1).arg(5_000)).toInteger())
        .as("replicas that acknowledged the writes").isEqualTo(1);
  }

  private void assertSentinelsName(int port) {
    for (int sentinel : sentinelPorts) {
      assertThat(send(sentinel, Request.cmd(Command.SENTINEL).arg("GET-MASTER-ADDR-BY-NAME").arg(MASTER_NAME))
          .get(1).toInteger()).as("master according to the sentinel at %d", sentinel).isEqualTo(port);
    }
  }

  private boolean exists(int port, CreatedAlias alias) {
    return send(port, Request.cmd(Command.EXISTS).arg(Keys.alias(alias.aid()))).toInteger() == 1;
  }

  /** Master, replica in sync, sentinels that know the replica and each other (needed for a quorum). */
  private void startReplicationGroup() throws Exception {
    masterPort = Ports.free();
    // SIGKILL: the master crashes rather than shutting down politely.
    master = RedisServer.newRedisServer().port(masterPort)
        .setting("save \"\"").setting("appendonly no")
        .onShutdownForceStop(true)
        .build();
    master.start();
    replicaPort = Ports.free();
    replica = RedisServer.newRedisServer().port(replicaPort)
        .setting("save \"\"").setting("appendonly no")
        .slaveOf("127.0.0.1", masterPort)
        .build();
    replica.start();
    awaitCondition("replica in sync with the master", () ->
        send(replicaPort, Request.cmd(Command.INFO).arg("replication")).toString().contains("master_link_status:up"));

    for (int i = 0; i < SENTINELS; i++) {
      int port = Ports.free();
      RedisSentinel sentinel = RedisSentinel.newRedisSentinel()
          .port(port)
          .masterName(MASTER_NAME)
          .masterPort(masterPort)
          .quorumSize(2)
          .downAfterMilliseconds(DOWN_AFTER_MILLIS)
          .failOverTimeout(FAILOVER_TIMEOUT_MILLIS)
          .parallelSyncs(1)
          .build();
      sentinel.start();
      sentinels.add(sentinel);
      sentinelPorts.add(port);
    }
    // Sentinels find the replica through the master's INFO and each other through hello
    // messages published every 2 s; a failover needs both.
    for (int port : sentinelPorts) {
      awaitCondition("sentinel at " + port + " sees the replica and the other sentinels", () ->
          send(port, Request.cmd(Command.INFO).arg("sentinel")).toString()
              .contains("name=" + MASTER_NAME + ",status=ok,address=127.0.0.1:" + masterPort
                  + ",slaves=1,sentinels=" + SENTINELS));
    }
  }

  /** One command on a fresh connection to one server, bypassing the store. */
  private Response send(int port, Request request) {
    Redis client = Redis.createClient(probes, TestRedis.url(port));
    try {
      return await(client.send(request));
    } finally {
      await(client.close());
    }
  }

  /** Polls until the condition holds; on timeout the failure carries what the sentinels said. */
  private void awaitCondition(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        if (condition.getAsBoolean()) {
          return;
        }
      } catch (AssertionError notYet) {
        // a server still starting, or a sentinel not yet agreeing: ask again
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 20 s: " + what + "\n" + sentinelState());
      }
      pace(100);
    }
  }

  private String sentinelState() {
    StringBuilder state = new StringBuilder();
    for (int port : sentinelPorts) {
      state.append("sentinel ").append(port).append(": ");
      try {
        state.append(send(port, Request.cmd(Command.SENTINEL).arg("MASTER").arg(MASTER_NAME)));
      } catch (AssertionError e) {
        state.append(e.getMessage());
      }
      state.append('\n');
    }
    return state.toString();
  }


  /** The interval between two polls of a condition; nothing is asserted after it. */
  private static void pace(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
