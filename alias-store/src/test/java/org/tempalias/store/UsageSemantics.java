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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.AliasUpdate;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.SenderLock;
import org.tempalias.contract.SettleReply;
import org.tempalias.contract.SettleRequest;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.ConfirmationRequest;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;

/**
 * The store's semantics as its callers see them over the event bus, run against every Redis
 * deployment the store supports (a subclass says which).
 */
abstract class UsageSemantics {
  static final String TARGET = "me@example.org";
  static final long HOUR = 3_600_000;

  StoreClient store;

  /** A store deployed on a fresh Vert.x against this class's Redis, with these extra settings. */
  abstract StoreClient deployStore(JsonObject settings);

  /** The same with a {@code confirm} section (targets must confirm when it says so). */
  abstract StoreClient deployStore(JsonObject settings, JsonObject confirm);

  @BeforeEach
  void deployDefaultStore() {
    store = deployStore(new JsonObject());
  }

  @AfterEach
  void undeployDefaultStore() {
    store.close();
  }

  // ---- get / delete ------------------------------------------------------------------------

  @Test
  void getAndDeleteNeedTheUpdateKey() {
    CreatedAlias a = store.create(TARGET, HOUR, 4);
    AliasStatus s = store.get(a.aid(), a.updateKey());
    assertThat(s).isEqualTo(new AliasStatus(a.aid(), TARGET, a.createdAtMillis(), a.expiresAtMillis(), 4, 4, 0, 0));

    String wrongKey = new AliasKey(a.aid(), a.updateKey() + "x").toJson().encode();
    assertThat(store.failureOf(StoreAddress.GET, new JsonObject(wrongKey))).isEqualTo(StoreError.FORBIDDEN);
    assertThat(store.failureOf(StoreAddress.DELETE, new JsonObject(wrongKey))).isEqualTo(StoreError.FORBIDDEN);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), null).toJson())).isEqualTo(StoreError.FORBIDDEN);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey("zzzzzzzzzz", a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey("../etc}", a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.failureOf(StoreAddress.DELETE, new AliasKey("zzzzzzzzzz", a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.get(a.aid(), a.updateKey()).usesLeft()).isEqualTo(4);

    ClaimReply held = store.claim(a.aid());
    store.delete(a.aid(), a.updateKey());
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.failureOf(StoreAddress.DELETE, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
    assertThat(store.settle(a.aid(), held.claimId(), USED)).isFalse();
  }

  // ---- claim / settle ----------------------------------------------------------------------

  @Test
  void exactlyMaxUsageClaimsOutOfSixtyAtOnceAndAllOfThemSettle() {
    CreatedAlias a = store.create(TARGET, HOUR, 7);
    List<Future<ClaimReply>> racing = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      racing.add(store.claimAsync(a.aid()));
    }
    await(Future.join(racing));
    List<ClaimReply> replies = racing.stream().map(Future::result).toList();
    List<ClaimReply> claimed = replies.stream().filter(r -> r.outcome() == CLAIMED).toList();
    assertThat(claimed).hasSize(7);
    assertThat(replies).filteredOn(r -> r.outcome() == BUSY).hasSize(53);
    assertThat(claimed).extracting(ClaimReply::claimId).doesNotHaveDuplicates();
    assertThat(claimed).extracting(ClaimReply::target).containsOnly(TARGET);
    assertThat(store.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(7);

    List<Future<Boolean>> settles = claimed.stream()
        .map(c -> store.settleAsync(a.aid(), c.claimId(), USED)).toList();
    await(Future.join(settles));
    assertThat(settles).extracting(Future::result).containsOnly(true).hasSize(7);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
  }

  @Test
  void fiftyConcurrentDeliveriesSpendExactlyMaxUsage() {
    int maxUsage = 10;
    CreatedAlias a = store.create(TARGET, HOUR, maxUsage);
    List<Future<Integer>> flows = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      flows.add(delivery(a.aid(), i % 3 == 0));
    }
    await(Future.join(flows));
    int used = flows.stream().mapToInt(Future::result).sum();
    assertThat(used).isEqualTo(maxUsage);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
  }

  /**
   * One sender's delivery as the gateway runs it: claim, retry while BUSY (a 451), release once
   * (a failed delivery) when asked to, then settle USED. Answers 1 when it spent a use.
   */
  private Future<Integer> delivery(String aid, boolean failOnce) {
    return store.claimAsync(aid).compose(reply -> switch (reply.outcome()) {
      case UNKNOWN, PENDING, SENDER_REFUSED -> Future.succeededFuture(0);
      case BUSY -> store.vertx.timer(2).compose(t -> delivery(aid, failOnce));
      case CLAIMED -> failOnce
          ? store.settleAsync(aid, reply.claimId(), RELEASED).compose(s -> delivery(aid, false))
          : store.settleAsync(aid, reply.claimId(), USED).map(s -> s ? 1 : 0);
    });
  }

  @Test
  void aReleasedClaimGivesItsUseBack() {
    CreatedAlias a = store.create(TARGET, HOUR, 1);
    ClaimReply first = store.claim(a.aid());
    assertClaimed(first);
    assertThat(store.settle(a.aid(), first.claimId(), RELEASED)).isTrue();
    AliasStatus s = store.get(a.aid(), a.updateKey());
    assertThat(s.usesLeft()).isEqualTo(1);
    assertThat(s.usesInFlight()).isZero();
    assertThat(s.forwarded()).isZero();

    ClaimReply second = store.claim(a.aid());
    assertClaimed(second);
    assertThat(store.settle(a.aid(), second.claimId(), USED)).isTrue();
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
  }

  @Test
  void busyWhileTheRemainingUsesAreHeldNotUnknown() {
    CreatedAlias a = store.create(TARGET, HOUR, 2);
    ClaimReply x = store.claim(a.aid());
    ClaimReply y = store.claim(a.aid());
    assertClaimed(x);
    assertClaimed(y);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(BUSY);
    AliasStatus held = store.get(a.aid(), a.updateKey());
    assertThat(held.usesLeft()).isZero();
    assertThat(held.usesInFlight()).isEqualTo(2);

    assertThat(store.settle(a.aid(), x.claimId(), USED)).isTrue();
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(BUSY);
    assertThat(store.settle(a.aid(), y.claimId(), RELEASED)).isTrue();
    ClaimReply z = store.claim(a.aid());
    assertClaimed(z);
    assertThat(store.settle(a.aid(), z.claimId(), USED)).isTrue();
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
  }

  @Test
  void theAliasWhoseLastUseIsSpentIsGone() {
    CreatedAlias a = store.create(TARGET, HOUR, 1);
    ClaimReply c = store.claim(a.aid());
    assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
  }

  @Test
  void anAliasPastItsLifetimeIsUnknown() {
    CreatedAlias a = store.create(TARGET, 1_000, 0);
    ClaimReply c = store.claim(a.aid());
    assertClaimed(c);
    long deadline = System.currentTimeMillis() + 5_000;
    ClaimReply.Outcome outcome = CLAIMED;
    while (outcome != UNKNOWN && System.currentTimeMillis() < deadline) {
      outcome = store.claim(a.aid()).outcome();
    }
    assertThat(outcome).isEqualTo(UNKNOWN);
    assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(a.expiresAtMillis() - 100);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.settle(a.aid(), c.claimId(), USED)).isFalse();
  }

  @Test
  void anUnlimitedAliasCountsWhatItForwarded() {
    CreatedAlias a = store.create(TARGET, HOUR, 0);
    for (int i = 0; i < 12; i++) {
      ClaimReply c = store.claim(a.aid());
      assertClaimed(c);
      assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    }
    ClaimReply open = store.claim(a.aid());
    assertClaimed(open);
    AliasStatus s = store.get(a.aid(), a.updateKey());
    assertThat(s.maxUsage()).isZero();
    assertThat(s.usesLeft()).isEqualTo(-1);
    assertThat(s.usesInFlight()).isEqualTo(1);
    assertThat(s.forwarded()).isEqualTo(12);
  }

  @Test
  void settlingAnUnknownOrSettledClaimChangesNothing() {
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    ClaimReply c = store.claim(a.aid());
    assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    AliasStatus after = store.get(a.aid(), a.updateKey());

    assertThat(store.settle(a.aid(), c.claimId(), USED)).isFalse();
    assertThat(store.settle(a.aid(), c.claimId(), RELEASED)).isFalse();
    assertThat(store.settle(a.aid(), "no-such-claim", USED)).isFalse();
    assertThat(store.settle("zzzzzzzzzz", c.claimId(), USED)).isFalse();
    assertThat(store.settle("not an id", c.claimId(), USED)).isFalse();
    assertThat(store.get(a.aid(), a.updateKey())).isEqualTo(after);
    assertThat(after.usesLeft()).isEqualTo(2);
    assertThat(after.forwarded()).isEqualTo(1);
  }

  @Test
  void anUpperCaseIdFindsTheAlias() {
    CreatedAlias a = store.create(TARGET, HOUR, 1);
    assertClaimed(store.claim(a.aid().toUpperCase()));
  }

  @Test
  void aClaimNeverSettledIsReleasedWhenItsLeasePasses() {
    try (StoreClient shortLease = deployStore(new JsonObject().put("claimLeaseSeconds", 1))) {
      CreatedAlias a = shortLease.create(TARGET, HOUR, 1);
      long claimedAt = System.currentTimeMillis();
      ClaimReply abandoned = shortLease.claim(a.aid());
      assertClaimed(abandoned);
      assertThat(shortLease.claim(a.aid()).outcome()).isEqualTo(BUSY);
      assertThat(shortLease.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(1);

      long deadline = claimedAt + 5_000;
      AliasStatus s = shortLease.get(a.aid(), a.updateKey());
      while (s.usesInFlight() > 0 && System.currentTimeMillis() < deadline) {
        s = shortLease.get(a.aid(), a.updateKey());
      }
      assertThat(s.usesInFlight()).isZero();
      assertThat(s.usesLeft()).isEqualTo(1);
      assertThat(System.currentTimeMillis() - claimedAt).isGreaterThanOrEqualTo(900);

      ClaimReply retry = shortLease.claim(a.aid());
      assertClaimed(retry);
      assertThat(shortLease.settle(a.aid(), abandoned.claimId(), USED)).isFalse();
      assertThat(shortLease.settle(a.aid(), retry.claimId(), USED)).isTrue();
      assertThat(shortLease.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
    }
  }

  @Test
  void aRenewedClaimOutlivesItsLease() {
    try (StoreClient shortLease = deployStore(new JsonObject().put("claimLeaseSeconds", 1))) {
      CreatedAlias a = shortLease.create(TARGET, HOUR, 1);
      ClaimReply held = shortLease.claim(a.aid());
      assertThat(held.leaseMillis()).isEqualTo(1000);
      long until = System.currentTimeMillis() + 2_500;
      while (System.currentTimeMillis() < until) {
        assertThat(shortLease.renew(a.aid(), held.claimId())).isEqualTo(ClaimState.State.HELD);
        assertThat(shortLease.claim(a.aid()).outcome()).isEqualTo(BUSY);
        pause(300);
      }
      assertThat(shortLease.renew(a.aid(), "not-a-claim-of-ours")).isEqualTo(ClaimState.State.LAPSED);
      assertThat(shortLease.settle(a.aid(), held.claimId(), USED)).isTrue();
      assertThat(shortLease.renew(a.aid(), held.claimId())).isEqualTo(ClaimState.State.GONE);
    }
  }

  @Test
  void aCommitChecksTheClaimAndTheAlias() {
    CreatedAlias a = store.create(TARGET, HOUR, 2);
    ClaimReply first = store.claim(a.aid());
    assertThat(store.commit(a.aid(), first.claimId(), HOUR)).isEqualTo(ClaimState.State.HELD);
    assertThat(store.commit(a.aid(), first.claimId(), HOUR)).as("idempotent").isEqualTo(ClaimState.State.HELD);
    assertThat(store.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(1);
    assertThat(store.commit(a.aid(), "never-claimed", HOUR)).isEqualTo(ClaimState.State.LAPSED);
    // A committed claim released (the smarthost refused the message) gives the use back.
    assertThat(store.settle(a.aid(), first.claimId(), RELEASED)).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).usesLeft()).isEqualTo(2);

    ClaimReply second = store.claim(a.aid());
    store.delete(a.aid(), a.updateKey());
    assertThat(store.commit(a.aid(), second.claimId(), HOUR)).isEqualTo(ClaimState.State.GONE);
    assertThat(store.settle(a.aid(), second.claimId(), USED)).isFalse();
  }

  @Test
  void aCommitNeverSettledCountsAsSpent() {
    CreatedAlias a = store.create(TARGET, HOUR, 2);
    ClaimReply claim = store.claim(a.aid());
    assertThat(store.commit(a.aid(), claim.claimId(), 500)).isEqualTo(ClaimState.State.HELD);
    pause(700);
    // The final dot went out and nobody said what became of it: the use is gone, not given back.
    AliasStatus s = store.get(a.aid(), a.updateKey());
    assertThat(s.usesLeft()).isEqualTo(1);
    assertThat(s.usesInFlight()).isZero();
    assertThat(s.forwarded()).isEqualTo(1);
    assertThat(store.settle(a.aid(), claim.claimId(), RELEASED)).isFalse();
    ClaimReply last = store.claim(a.aid());
    assertThat(store.commit(a.aid(), last.claimId(), 500)).isEqualTo(ClaimState.State.HELD);
    pause(700);
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
    assertThat(store.failureOf(StoreAddress.GET, new AliasKey(a.aid(), a.updateKey()).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
  }

  @Test
  void aClaimReleasedBeforeItArrivesIsRefused() {
    CreatedAlias a = store.create(TARGET, HOUR, 1);
    // The gateway gave up waiting for this claim and released its name; then the claim arrives.
    assertThat(store.settle(a.aid(), "given-up-claim-1", RELEASED)).isFalse();
    assertThat(await(store.claimAsync(a.aid(), "given-up-claim-1")).outcome()).isEqualTo(UNKNOWN);
    ClaimReply named = await(store.claimAsync(a.aid(), "named-claim-22"));
    assertThat(named.outcome()).isEqualTo(CLAIMED);
    assertThat(named.claimId()).isEqualTo("named-claim-22");
    assertThat(await(store.claimAsync(a.aid(), "named-claim-22")).outcome()).as("a retry holds it").isEqualTo(CLAIMED);
    assertThat(store.get(a.aid(), a.updateKey()).usesInFlight()).isEqualTo(1);
    assertThat(await(store.claimAsync(a.aid(), "bad id!")).outcome()).isEqualTo(UNKNOWN);
  }

  @Test
  void aTargetsDecisionReachesItsAliasesInOtherSlots() {
    try (StoreClient confirming = deployStore(new JsonObject(), new JsonObject())) {
      List<CreatedAlias> waiting = new ArrayList<>();
      for (int i = 0; i < 6; i++) { // ids spread over the slots; the target's keys sit in one
        waiting.add(confirming.create("spread@example.org", HOUR, 1));
      }
      String token = waiting.get(0).confirmToken();
      assertThat(waiting.get(0).confirmed()).isFalse();
      await(confirming.request(StoreAddress.DECIDE,
          new ConfirmationRequest(token, ConfirmationRequest.Decision.CONFIRM).toJson()));
      for (CreatedAlias a : waiting) {
        assertThat(confirming.claim(a.aid()).outcome()).isEqualTo(CLAIMED);
      }
      CreatedAlias other = confirming.create("blocking@example.org", HOUR, 1);
      await(confirming.request(StoreAddress.DECIDE,
          new ConfirmationRequest(other.confirmToken(), ConfirmationRequest.Decision.BLOCK).toJson()));
      assertThat(confirming.claim(other.aid()).outcome()).isEqualTo(UNKNOWN);
    }
  }

  static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- update ------------------------------------------------------------------------------

  AliasStatus update(CreatedAlias a, Long lifetimeMillis, Integer usesLeft) {
    return AliasStatus.fromJson(await(store.request(StoreAddress.UPDATE,
        new AliasUpdate(a.aid(), a.updateKey(), lifetimeMillis, usesLeft).toJson())));
  }

  @Test
  void anUpdateSetsNewLimitsCountedFromNow() {
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    ClaimReply used = store.claim(a.aid());
    assertThat(store.settle(a.aid(), used.claimId(), USED)).isTrue();
    ClaimReply open = store.claim(a.aid());
    assertClaimed(open);

    long before = System.currentTimeMillis();
    AliasStatus renewed = update(a, 7 * 24 * HOUR, 5);
    assertThat(renewed.expiresAtMillis()).isBetween(before + 7 * 24 * HOUR - 5_000, System.currentTimeMillis() + 7 * 24 * HOUR);
    // Exactly five more deliveries from now; the one in progress is among them.
    assertThat(renewed.usesLeft()).isEqualTo(4);
    assertThat(renewed.usesInFlight()).isEqualTo(1);
    assertThat(renewed.maxUsage()).isEqualTo(1 + 5);
    assertThat(renewed.forwarded()).isEqualTo(1);

    // The open transaction fails: its use goes back to the five; then five deliveries, no more.
    assertThat(store.settle(a.aid(), open.claimId(), RELEASED)).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).usesLeft()).isEqualTo(5);
    for (int i = 0; i < 5; i++) {
      ClaimReply c = store.claim(a.aid());
      assertClaimed(c);
      assertThat(store.settle(a.aid(), c.claimId(), USED)).isTrue();
    }
    assertThat(store.claim(a.aid()).outcome()).isEqualTo(UNKNOWN);
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate(a.aid(), a.updateKey(), HOUR, null).toJson()))
        .as("a used-up alias cannot be revived").isEqualTo(StoreError.NOT_FOUND);
  }

  @Test
  void anUpdateMayDropOneLimitButNotBoth() {
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    AliasStatus unlimitedTime = update(a, 0L, null);
    assertThat(unlimitedTime.expiresAtMillis()).isZero();
    assertThat(unlimitedTime.usesLeft()).isEqualTo(3);
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate(a.aid(), a.updateKey(), null, 0).toJson()))
        .as("neither limit would remain").isEqualTo(StoreError.INVALID);

    AliasStatus timed = update(a, 2 * HOUR, 0);
    assertThat(timed.maxUsage()).isZero();
    assertThat(timed.usesLeft()).isEqualTo(-1);
    assertThat(timed.expiresAtMillis()).isGreaterThan(System.currentTimeMillis() + HOUR);
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate(a.aid(), a.updateKey(), 0L, null).toJson()))
        .isEqualTo(StoreError.INVALID);
  }

  @Test
  void anUpdateStaysWithinTheCapsAndNeedsTheKey() {
    CreatedAlias a = store.create(TARGET, HOUR, 3);
    List<AliasUpdate> bad = List.of(
        new AliasUpdate(a.aid(), a.updateKey(), 61L * 24 * HOUR, null),
        new AliasUpdate(a.aid(), a.updateKey(), null, 101),
        new AliasUpdate(a.aid(), a.updateKey(), -1L, null),
        new AliasUpdate(a.aid(), a.updateKey(), null, -1),
        new AliasUpdate(a.aid(), a.updateKey(), null, null),
        new AliasUpdate(a.aid(), a.updateKey(), 0L, 0));
    for (AliasUpdate req : bad) {
      assertThat(store.failureOf(StoreAddress.UPDATE, req.toJson())).as(req.toString()).isEqualTo(StoreError.INVALID);
    }
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate(a.aid(), a.updateKey() + "x", HOUR, 1).toJson()))
        .isEqualTo(StoreError.FORBIDDEN);
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate(a.aid(), null, HOUR, 1).toJson()))
        .isEqualTo(StoreError.FORBIDDEN);
    assertThat(store.failureOf(StoreAddress.UPDATE, new AliasUpdate("zzzzzzzzzz", a.updateKey(), HOUR, 1).toJson()))
        .isEqualTo(StoreError.NOT_FOUND);
    assertThat(store.get(a.aid(), a.updateKey()))
        .isEqualTo(new AliasStatus(a.aid(), TARGET, a.createdAtMillis(), a.expiresAtMillis(), 3, 3, 0, 0));
    assertThat(update(a, 60L * 24 * HOUR, 100).usesLeft()).isEqualTo(100);
  }

  @Test
  void aCommitStillCountsAfterTheAliasWasRenewed() {
    CreatedAlias a = store.create(TARGET, 2_000, 0);
    ClaimReply c = store.claim(a.aid());
    assertThat(store.commit(a.aid(), c.claimId(), 3_000)).isEqualTo(ClaimState.State.HELD);
    update(a, HOUR, 2);
    // Past the original lifetime the renewed alias lives on, and the commit never settled is
    // spent when its hold passes: one of the two given.
    long deadline = System.currentTimeMillis() + 10_000;
    AliasStatus s = store.get(a.aid(), a.updateKey());
    while (s.forwarded() == 0 && System.currentTimeMillis() < deadline) {
      pause(100);
      s = store.get(a.aid(), a.updateKey());
    }
    assertThat(System.currentTimeMillis()).isGreaterThan(a.expiresAtMillis());
    assertThat(s.forwarded()).isEqualTo(1);
    assertThat(s.usesLeft()).isEqualTo(1);
  }

  // ---- sender locks ------------------------------------------------------------------------

  CreatedAlias locked(SenderLock lock, int maxUsage) {
    return store.create(new CreateAlias(TARGET, HOUR, maxUsage, null, lock, null));
  }

  ClaimReply claimFrom(String aid, String senderDomain) {
    return ClaimReply.fromJson(await(store.request(StoreAddress.CLAIM,
        new ClaimRequest(aid, StoreClient.newClaimName(), "tx-test", senderDomain).toJson())));
  }

  @Test
  void aSenderLockLetsItsDomainsAndTheirSubdomainsThroughAndCostsNothingElse() {
    CreatedAlias a = locked(new SenderLock(List.of("shop.example", "mailer.example"), false), 5);
    for (String allowed : List.of("shop.example", "news.shop.example", "a.b.mailer.example")) {
      ClaimReply c = claimFrom(a.aid(), allowed);
      assertThat(c.outcome()).as(allowed).isEqualTo(CLAIMED);
      assertThat(store.settle(a.aid(), c.claimId(), RELEASED)).isTrue();
    }
    for (String refused : List.of("evil.example", "evilshop.example", "shop.example.evil.example", "example", "", "[192.0.2.1]",
        "SHOP.EXAMPLE")) {
      assertThat(claimFrom(a.aid(), refused).outcome()).as(refused).isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    }
    assertThat(store.claim(a.aid()).outcome()).as("no sender named: the null sender").isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    AliasStatus s = store.get(a.aid(), a.updateKey());
    assertThat(s.usesLeft()).as("refusals took no use").isEqualTo(5);
    assertThat(s.usesInFlight()).isZero();
    assertThat(s.lock()).isEqualTo(new SenderLock(List.of("shop.example", "mailer.example"), false));
  }

  @Test
  void aFirstSenderLockIsSetByTheFirstDeliveryNotTheFirstAttempt() {
    CreatedAlias a = locked(new SenderLock(List.of(), true), 5);
    assertThat(claimFrom(a.aid(), "").outcome()).as("null sender").isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);

    // A message from one domain that fails upstream does not lock the alias ...
    ClaimReply failed = claimFrom(a.aid(), "spam.example");
    assertThat(failed.outcome()).isEqualTo(CLAIMED);
    assertThat(settleFrom(a.aid(), failed.claimId(), RELEASED, "spam.example")).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).lock()).isEqualTo(new SenderLock(List.of(), true));

    // ... the first one delivered does.
    ClaimReply first = claimFrom(a.aid(), "mail.shop.example");
    assertThat(first.outcome()).isEqualTo(CLAIMED);
    assertThat(settleFrom(a.aid(), first.claimId(), USED, "mail.shop.example")).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).lock()).isEqualTo(new SenderLock(List.of("mail.shop.example"), true));
    assertThat(claimFrom(a.aid(), "spam.example").outcome()).isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    assertThat(claimFrom(a.aid(), "shop.example").outcome()).as("the parent is another domain")
        .isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    ClaimReply again = claimFrom(a.aid(), "eu.mail.shop.example");
    assertThat(again.outcome()).isEqualTo(CLAIMED);
    assertThat(settleFrom(a.aid(), again.claimId(), USED, "eu.mail.shop.example")).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).lock().domains()).as("set once").containsExactly("mail.shop.example");
    assertThat(store.get(a.aid(), a.updateKey()).usesLeft()).isEqualTo(3);
  }

  @Test
  void aFirstSenderLockWithAListNarrowsToTheFirstDeliveredDomainOfTheList() {
    CreatedAlias a = locked(new SenderLock(List.of("shop.example", "mailer.example"), true), 5);
    assertThat(claimFrom(a.aid(), "other.example").outcome()).isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    ClaimReply first = claimFrom(a.aid(), "eu.mailer.example");
    assertThat(first.outcome()).isEqualTo(CLAIMED);
    assertThat(settleFrom(a.aid(), first.claimId(), USED, "eu.mailer.example")).isTrue();
    assertThat(store.get(a.aid(), a.updateKey()).lock()).isEqualTo(new SenderLock(List.of("eu.mailer.example"), true));
    assertThat(claimFrom(a.aid(), "shop.example").outcome()).as("on the list, but not the first")
        .isEqualTo(ClaimReply.Outcome.SENDER_REFUSED);
    assertThat(claimFrom(a.aid(), "x.eu.mailer.example").outcome()).isEqualTo(CLAIMED);
  }

  @Test
  void anUnlockedAliasTakesAnySenderAndUnnormalizedLocksAreRefused() {
    CreatedAlias open = store.create(TARGET, HOUR, 2);
    assertThat(claimFrom(open.aid(), "").outcome()).isEqualTo(CLAIMED);
    assertThat(store.get(open.aid(), open.updateKey()).lock()).isEqualTo(SenderLock.NONE);
    for (List<String> bad : List.of(List.of("Shop.Example"), List.of("shop.example."), List.of("shop example"),
        List.of("a.example b.example"), List.of("x.example\r\nQUIT"), List.of("localhost"),
        java.util.Collections.nCopies(11, "shop.example"))) {
      assertThat(store.failureOf(StoreAddress.CREATE,
          new CreateAlias(TARGET, HOUR, 1, null, new SenderLock(bad, false), null).toJson()))
          .as(bad.toString()).isEqualTo(StoreError.INVALID);
    }
  }

  boolean settleFrom(String aid, String claimId, SettleRequest.Settlement settlement, String senderDomain) {
    return SettleReply.fromJson(await(store.request(StoreAddress.SETTLE,
        new SettleRequest(aid, claimId, settlement, senderDomain).toJson()))).settled();
  }

  // ---- rate limit --------------------------------------------------------------------------

  @Test
  void creationsPerClientAreLimitedPerMinute() {
    try (StoreClient limited = deployStore(new JsonObject().put("createLimitPerMinute", 3))) {
      for (int i = 0; i < 3; i++) {
        limited.create(new CreateAlias(TARGET, HOUR, 1, "192.0.2.7"));
      }
      assertThat(limited.failureOf(StoreAddress.CREATE, new CreateAlias(TARGET, HOUR, 1, "192.0.2.7").toJson()))
          .isEqualTo(StoreError.RATE_LIMITED);
      assertThat(limited.create(new CreateAlias(TARGET, HOUR, 1, "2001:db8::7")).aid()).isNotNull();
      for (int i = 0; i < 5; i++) {
        limited.create(new CreateAlias(TARGET, HOUR, 1, null));
      }

      // The counter is in Redis: a second store instance sees the same count.
      try (StoreClient other = deployStore(new JsonObject().put("createLimitPerMinute", 3))) {
        assertThat(other.failureOf(StoreAddress.CREATE, new CreateAlias(TARGET, HOUR, 1, "192.0.2.7").toJson()))
            .isEqualTo(StoreError.RATE_LIMITED);
      }
    }
  }
}
