package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.contract.ClaimReply.Outcome.BUSY;
import static org.tempalias.contract.ClaimReply.Outcome.CLAIMED;
import static org.tempalias.contract.ClaimReply.Outcome.UNKNOWN;
import static org.tempalias.contract.SettleRequest.Settlement.RELEASED;
import static org.tempalias.contract.SettleRequest.Settlement.USED;
import static org.tempalias.store.StoreClient.assertClaimed;
import static org.tempalias.store.StoreClient.await;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import org.tempalias.testsupport.TestRedis;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StoreVerticleTest extends UsageSemantics {
  private static int port;
  private static TestRedis server;

  @BeforeAll
  static void startRedis() {
    server = TestRedis.start();
    port = server.port();
  }

  @AfterAll
  static void stopRedis() {
    server.stop();
  }

  @Override
  StoreClient deployStore(JsonObject settings) {
    return StoreClient.deploy(port, settings);
  }

  @Override
  StoreClient deployStore(JsonObject settings, JsonObject confirm) {
    return StoreClient.deploy(new StoreVerticle(), port, settings, confirm);
  }

  @BeforeEach
  void flush() {
    store.redis(Request.cmd(Command.FLUSHALL));
  }

  // ---- create ------------------------------------------------------------------------------

  @Test
  void createReturnsAFreshIdAndAStrongUpdateKey() {
    long before = System.currentTimeMillis();
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    assertThat(AliasId.isWellFormed(a.aid())).isTrue();
    assertThat(a.target()).isEqualTo(TARGET);
    assertThat(a.maxUsage()).isEqualTo(3);
    assertThat(a.createdAtMillis()).isBetween(before - 5_000, System.currentTimeMillis() + 5_000);
    assertThat(a.expiresAtMillis()).isEqualTo(a.createdAtMillis() + HOUR);
    assertThat(a.updateKey()).matches("[A-Za-z0-9_-]+");
    assertThat(Base64.getUrlDecoder().decode(a.updateKey()).length * 8).isGreaterThanOrEqualTo(128);

    CreatedAlias b = store.create(TARGET, 0, 1);
    assertThat(b.aid()).isNotEqualTo(a.aid());
    assertThat(b.updateKey()).isNotEqualTo(a.updateKey());
    assertThat(b.expiresAtMillis()).isZero();
    long ttl = store.redis(Request.cmd(Command.PTTL).arg(Keys.alias(a.aid()))).toLong();
    assertThat(ttl).isBetween(HOUR - 60_000, HOUR);
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.alias(b.aid()))).toLong()).isEqualTo(-1);
  }

  @Test
  void createRefusesWhatTheStoreWillNotKeep() {
    List<CreateAlias> bad = List.of(
        new CreateAlias(TARGET, 0, 0, null),
        new CreateAlias(TARGET, -1, 5, null),
        new CreateAlias(TARGET, HOUR, -1, null),
        new CreateAlias(TARGET, 61L * 86_400_000, 0, null),
        new CreateAlias(TARGET, 0, 101, null),
        new CreateAlias(null, HOUR, 1, null),
        new CreateAlias("   ", HOUR, 1, null),
        new CreateAlias("me@example.org\r\nRCPT TO:<x@evil.example>", HOUR, 1, null),
        new CreateAlias("<me@example.org>", HOUR, 1, null),
        new CreateAlias("no-at-sign", HOUR, 1, null),
        new CreateAlias("a".repeat(250) + "@b.org", HOUR, 1, null));
    for (CreateAlias req : bad) {
      assertThat(store.failureOf(StoreAddress.CREATE, req.toJson())).as(req.toString()).isEqualTo(StoreError.INVALID);
    }
    assertThat(store.failureOf(StoreAddress.CREATE, new JsonObject().put("target", TARGET).put("maxUsage", "x")))
        .isEqualTo(StoreError.INVALID);
    assertThat(store.create(TARGET, 60L * 86_400_000, 100).maxUsage()).isEqualTo(100);
    assertThat(store.redis(Request.cmd(Command.DBSIZE)).toInteger()).isEqualTo(1);
  }

  @Test
  void onlyTheHashOfTheUpdateKeyIsStored() {
    CreatedAlias a = store.create(TARGET, HOUR, 5);
    ClaimReply c = store.claim(a.aid());
    assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    store.claim(a.aid());

    List<String> everything = new ArrayList<>();
    for (Response key : store.redis(Request.cmd(Command.KEYS).arg("*"))) {
      everything.add(key.toString());
      String type = store.redis(Request.cmd(Command.TYPE).arg(key.toString())).toString();
      Response values = switch (type) {
        case "hash" -> store.redis(Request.cmd(Command.HGETALL).arg(key.toString()));
        case "zset" -> store.redis(Request.cmd(Command.ZRANGE).arg(key.toString()).arg(0).arg(-1));
        default -> store.redis(Request.cmd(Command.GET).arg(key.toString()));
      };
      values.forEach(v -> everything.add(v.toString()));
    }
    assertThat(everything).isNotEmpty().noneMatch(s -> s.contains(a.updateKey()));
    String stored = store.redis(Request.cmd(Command.HGET).arg(Keys.alias(a.aid())).arg("ukey")).toString();
    assertThat(stored).isEqualTo(Secrets.hash(a.updateKey())).hasSize(64);
  }

  @Test
  void anIdCollisionRetriesWithANewIdAndNeverOverwrites() {
    Deque<String> ids = new ArrayDeque<>(List.of("aaaaaaaaaa", "aaaaaaaaaa", "aaaaaaaaaa", "bbbbbbbbbb"));
    try (StoreClient forced = StoreClient.deploy(new StoreVerticle(ids::poll), port, new JsonObject())) {
      CreatedAlias first = forced.create(TARGET, HOUR, 1);
      CreatedAlias second = forced.create("other@example.org", HOUR, 2);
      assertThat(first.aid()).isEqualTo("aaaaaaaaaa");
      assertThat(second.aid()).isEqualTo("bbbbbbbbbb");
      AliasStatus kept = forced.get(first.aid(), first.updateKey());
      assertThat(kept.target()).isEqualTo(TARGET);
      assertThat(kept.maxUsage()).isEqualTo(1);
      assertThat(forced.get(second.aid(), second.updateKey()).target()).isEqualTo("other@example.org");
    }
  }

  @Test
  void aMalformedClaimIsUnknownWithoutTouchingRedis() {
    assertThat(store.claim("NOT}{an-id").outcome()).isEqualTo(UNKNOWN);
    assertThat(store.claim(null).outcome()).isEqualTo(UNKNOWN);
    assertThat(store.redis(Request.cmd(Command.DBSIZE)).toInteger()).isZero();
  }

  @Test
  void aLimitOfZeroTurnsTheRateLimitOff() {
    try (StoreClient unlimited = StoreClient.deploy(port, new JsonObject().put("createLimitPerMinute", 0))) {
      for (int i = 0; i < 25; i++) {
        unlimited.create(new CreateAlias(TARGET, HOUR, 1, "192.0.2.9"));
      }
      assertThat(unlimited.redis(Request.cmd(Command.EXISTS).arg("ratelimit:create:{192.0.2.9}")).toInteger())
          .isZero();
    }
  }

  @Test
  void spentAndDeletedAliasesLeaveNothingBehind() {
    CreatedAlias spent = store.create(TARGET, HOUR, 1);
    ClaimReply c = store.claim(spent.aid());
    assertThat(store.settle(spent.aid(), c.claimId(), USED)).isTrue();
    CreatedAlias deleted = store.create(TARGET, HOUR, 3);
    store.claim(deleted.aid());
    store.delete(deleted.aid(), deleted.updateKey());
    assertThat(store.settle("zzzzzzzzzz", c.claimId(), USED)).isFalse();
    assertThat(store.redis(Request.cmd(Command.DBSIZE)).toInteger()).isZero();
  }

  @Test
  void claimSetsLiveAsLongAsTheirLatestDeadline() {
    CreatedAlias a = store.create(TARGET, 0, 5);
    ClaimReply claim = store.claim(a.aid());
    long ttl = store.redis(Request.cmd(Command.PTTL).arg(Keys.claims(a.aid()))).toLong();
    assertThat(ttl).isBetween(59_000L, 60_000L);
    // A commit must outlive its deadline (a lapsed commit is spent, not forgotten): it goes with
    // the alias, which here has no time limit.
    assertThat(store.commit(a.aid(), claim.claimId(), 1_000)).isEqualTo(ClaimState.State.HELD);
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.commits(a.aid()))).toLong()).isEqualTo(-1);
    CreatedAlias b = store.create(TARGET, HOUR, 5);
    assertThat(store.commit(b.aid(), store.claim(b.aid()).claimId(), 1_000)).isEqualTo(ClaimState.State.HELD);
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.commits(b.aid()))).toLong())
        .isBetween(HOUR - 60_000, HOUR);
    assertThat(store.settle(a.aid(), "never-claimed", RELEASED)).isFalse();
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.cancelled(a.aid()))).toLong())
        .isBetween(590_000L, 600_000L);
  }

  @Test
  void theRateLimitWindowIsAMinuteInRedis() {
    try (StoreClient limited = StoreClient.deploy(port, new JsonObject().put("createLimitPerMinute", 3))) {
      limited.create(new CreateAlias(TARGET, HOUR, 1, "192.0.2.7"));
      long ttl = limited.redis(Request.cmd(Command.PTTL).arg("ratelimit:create:{192.0.2.7}")).toLong();
      assertThat(ttl).isBetween(1L, 60_000L);
      assertThat(limited.redis(Request.cmd(Command.GET).arg("ratelimit:create:{192.0.2.7}")).toInteger()).isEqualTo(1);
    }
  }

  // ---- scripts, ping -----------------------------------------------------------------------

  @Test
  void scriptsSurviveAScriptFlush() {
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    assertClaimed(store.claim(a.aid()));
    store.redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    Response cached = store.redis(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(Script.withClaims("claim").sha1()));
    assertThat(cached.get(0).toInteger()).isZero();

    ClaimReply c = store.claim(a.aid());
    assertClaimed(c);
    cached = store.redis(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(Script.withClaims("claim").sha1()));
    assertThat(cached.get(0).toInteger()).isEqualTo(1);
    store.redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    store.redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    assertThat(store.get(a.aid(), a.updateKey()).usesLeft()).isEqualTo(1);
    store.redis(Request.cmd(Command.SCRIPT).arg("FLUSH"));
    assertThat(store.create(TARGET, HOUR, 1).aid()).isNotEqualTo(a.aid());
  }

  @Test
  void pingAnswersWhileRedisDoes() {
    assertThat(await(store.request(StoreAddress.PING, new JsonObject()))).isEqualTo(new JsonObject());
  }
}
