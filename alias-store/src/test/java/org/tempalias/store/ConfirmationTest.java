package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.store.StoreClient.await;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.Confirmation;
import org.tempalias.contract.ConfirmationRequest;
import org.tempalias.contract.ConfirmationRequest.Decision;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import org.tempalias.testsupport.TestRedis;

/** Targets confirm before their aliases forward (issue 12), at the store's door. */
class ConfirmationTest {
  static final long HOUR = 3_600_000;
  static TestRedis redis;
  StoreClient store;

  @BeforeAll
  static void startRedis() {
    redis = TestRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  StoreClient deploy(JsonObject confirm) {
    store = StoreClient.deploy(new StoreVerticle(), redis.port(), new JsonObject(), confirm);
    return store;
  }

  Confirmation show(String token) {
    return Confirmation.fromJson(await(store.request(StoreAddress.CONFIRMATION, new ConfirmationRequest(token, null).toJson())));
  }

  Confirmation decide(String token, Decision decision) {
    return Confirmation.fromJson(await(store.request(StoreAddress.DECIDE, new ConfirmationRequest(token, decision).toJson())));
  }

  @Test
  void aliasesWaitForTheirTargetAndForwardOnceItConfirms() {
    deploy(new JsonObject());
    CreatedAlias first = store.create("Waiting.Person@example.org", 24 * HOUR, 3);
    assertThat(first.confirmed()).isFalse();
    assertThat(first.confirmToken()).matches("[A-Za-z0-9_-]{32}");
    assertThat(store.claim(first.aid()).outcome()).isEqualTo(ClaimReply.Outcome.PENDING);
    assertThat(store.get(first.aid(), first.updateKey()).confirmed()).isFalse();
    // A second alias meanwhile waits for the same confirmation: no second mail within the hour.
    CreatedAlias second = store.create("waiting.person@EXAMPLE.org", 0, 1);
    assertThat(second.confirmed()).isFalse();
    assertThat(second.confirmToken()).isNull();

    Confirmation asked = show(first.confirmToken());
    assertThat(asked.state()).isEqualTo(Confirmation.State.PENDING);
    assertThat(asked.aid()).isEqualTo(first.aid());
    assertThat(asked.maxUsage()).isEqualTo(3);
    assertThat(asked.waitingAliases()).isEqualTo(2);
    assertThat(show(first.confirmToken()).state()).as("looking changes nothing").isEqualTo(Confirmation.State.PENDING);
    assertThat(store.claim(first.aid()).outcome()).isEqualTo(ClaimReply.Outcome.PENDING);

    assertThat(decide(first.confirmToken(), Decision.CONFIRM).state()).isEqualTo(Confirmation.State.CONFIRMED);
    assertThat(store.claim(first.aid()).outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
    assertThat(store.claim(second.aid()).outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
    assertThat(store.get(second.aid(), second.updateKey()).confirmed()).isTrue();
    // Confirmed, the alias lives to its own limit again (no longer the 72 h wait).
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.alias(second.aid()))).toLong()).isEqualTo(-1);
    CreatedAlias third = store.create("waiting.person@example.org", HOUR, 1);
    assertThat(third.confirmed()).isTrue();
    assertThat(third.confirmToken()).isNull();
    assertThat(store.claim(third.aid()).outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
  }

  @Test
  void blockingDeletesTheWaitingAliasesAndRefusesNewOnes() {
    deploy(new JsonObject());
    CreatedAlias waiting = store.create("not-me@example.org", HOUR, 1);
    assertThat(decide(waiting.confirmToken(), Decision.BLOCK).state()).isEqualTo(Confirmation.State.BLOCKED);
    assertThat(store.claim(waiting.aid()).outcome()).isEqualTo(ClaimReply.Outcome.UNKNOWN);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(waiting.aid(), waiting.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.failureOf(StoreAddress.CREATE, new org.tempalias.contract.CreateAlias(
        "Not-Me@example.org", HOUR, 1, null).toJson())).isEqualTo(StoreError.TARGET_REFUSED);
    // Changed their mind: the same link still confirms while it is valid.
    assertThat(decide(waiting.confirmToken(), Decision.CONFIRM).state()).isEqualTo(Confirmation.State.CONFIRMED);
    assertThat(store.create("not-me@example.org", HOUR, 1).confirmed()).isTrue();
  }

  @Test
  void confirmationMailsAreLimitedPerTarget() {
    deploy(new JsonObject().put("resendMinutes", "0.0002")); // 12 ms apart
    int mails = 0;
    for (int i = 0; i < 6; i++) {
      if (store.create("limited@example.org", HOUR, 1).confirmToken() != null) {
        mails++;
      }
      UsageSemantics.pause(30);
    }
    assertThat(mails).as("at most 3 a day").isEqualTo(3);
    assertThat(store.create("other@example.org", HOUR, 1).confirmToken()).isNotNull();
  }

  @Test
  void anAliasNotConfirmedInTimeIsGoneAndTheLinkWithIt() {
    deploy(new JsonObject().put("pendingHours", "0.0003")); // about a second
    CreatedAlias alias = store.create("slow-to-answer@example.org", HOUR, 1);
    UsageSemantics.pause(1_500);
    assertThat(store.claim(alias.aid()).outcome()).isEqualTo(ClaimReply.Outcome.UNKNOWN);
    assertThat(store.failureOf(StoreAddress.CONFIRMATION, new ConfirmationRequest(alias.confirmToken(), null).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
  }

  @Test
  void aWaitingAliasRenewedPastItsWaitIsStillBoundByTheWaitAndLivesOnOnceConfirmed() {
    deploy(new JsonObject().put("pendingHours", 2));
    CreatedAlias alias = store.create("renewing@example.org", HOUR, 1); // lives 1 h, waits up to 2 h
    AliasStatus renewed = AliasStatus.fromJson(await(store.request(StoreAddress.UPDATE,
        new org.tempalias.contract.AliasUpdate(alias.aid(), alias.updateKey(), 10 * HOUR, null).toJson())));
    assertThat(renewed.expiresAtMillis()).isGreaterThan(System.currentTimeMillis() + 9 * HOUR);
    long ttl = store.redis(Request.cmd(Command.PTTL).arg(Keys.alias(alias.aid()))).toLong();
    assertThat(ttl).as("the key lives to the end of the wait, not its old expiry")
        .isBetween(2 * HOUR - 60_000, 2 * HOUR);

    decide(alias.confirmToken(), Decision.CONFIRM);
    assertThat(store.claim(alias.aid()).outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
    assertThat(store.redis(Request.cmd(Command.PTTL).arg(Keys.alias(alias.aid()))).toLong())
        .as("confirmed: the new expiry").isBetween(10 * HOUR - 60_000, 10 * HOUR);
  }

  @Test
  void unknownLinksAndNoConfirmationRequired() {
    deploy(new JsonObject());
    assertThat(store.failureOf(StoreAddress.CONFIRMATION, new ConfirmationRequest("x".repeat(32), null).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.failureOf(StoreAddress.DECIDE, new ConfirmationRequest("../../etc", Decision.CONFIRM).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    store.close();
    deploy(new JsonObject().put("required", false));
    CreatedAlias free = store.create("anyone@example.org", HOUR, 1);
    assertThat(free.confirmed()).isTrue();
    assertThat(store.claim(free.aid()).outcome()).isEqualTo(ClaimReply.Outcome.CLAIMED);
  }

  @Test
  void redisHoldsNoPlainListOfTargets() {
    deploy(new JsonObject());
    CreatedAlias a = store.create("secret.person@example.org", HOUR, 1);
    decide(a.confirmToken(), Decision.CONFIRM);
    Response keys = store.redis(Request.cmd(Command.KEYS).arg("target:*"));
    assertThat(keys.size()).isPositive();
    for (Response key : keys) {
      assertThat(key.toString()).doesNotContain("secret").matches("target:\\{[0-9a-f]{64}\\}(:pending)?");
      if (!key.toString().endsWith(":pending")) {
        assertThat(store.redis(Request.cmd(Command.HGETALL).arg(key.toString())).toString()).doesNotContain("secret");
      }
    }
    AliasStatus status = store.get(a.aid(), a.updateKey());
    assertThat(status.confirmed()).isTrue();
  }
}
