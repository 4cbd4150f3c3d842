package org.tempalias.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.Confirmation;
import org.tempalias.contract.ConfirmationRequest.Decision;
import org.tempalias.contract.StoreError;

/**
 * Targets and their consent: every decision about whether a target's aliases may forward. A
 * target is known only by a keyed hash of its normalised address (HMAC-SHA256 under a server
 * secret), so Redis holds no list of addresses. A target is confirmed (until {@code validDays}
 * pass), blocked (for good), or neither; an alias made for a target that is neither waits
 * ({@code pending} in its hash, gone by itself after {@code pendingHours}) and is listed under
 * its target, so that the decision reaches it. The alias and target keys live in different
 * cluster slots, so a decision is carried to each alias by a script of its own; a claim that finds
 * an alias still waiting asks its target, so a decision half carried out heals itself.
 */
final class Confirmations {
  private static final Logger LOG = LoggerFactory.getLogger(Confirmations.class);
  private static final Script TARGET = Script.load("target");
  private static final Script WAITING = Script.load("waiting");
  private static final Script DECIDE = Script.load("decide");
  private static final Script TOKEN = Script.load("token");
  private static final Script ACTIVATE = Script.load("activate");
  private static final Script DROP = Script.load("drop");

  /** Where a target stands. */
  enum TargetState { CONFIRMED, BLOCKED, NONE }

  /** What a new alias's target means for it: whether it waits, and the token of a mail due now. */
  record Admission(boolean confirmed, String mailToken) {}

  private final ConfirmConfig config;
  private final byte[] secret;
  private final Function<Future<Response>, Future<Response>> bounded;
  private final RedisGate redis;

  Confirmations(ConfirmConfig config, byte[] secret, RedisGate redis, Function<Future<Response>, Future<Response>> bounded) {
    this.config = config;
    this.secret = secret;
    this.redis = redis;
    this.bounded = bounded;
  }

  boolean required() {
    return config.required();
  }

  long pendingMillis() {
    return config.required() ? config.pendingMillis() : 0;
  }

  /** The keyed hash a target is known by: lower-cased as a whole (mailbox case is not consent). */
  String targetHash(String target) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(target.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
    }
  }

  Future<TargetState> state(String targetHash) {
    return call(TARGET.run(redis, List.of(Keys.target(targetHash)), List.of()))
        .map(r -> switch (r.toString()) {
          case "confirmed" -> TargetState.CONFIRMED;
          case "blocked" -> TargetState.BLOCKED;
          default -> TargetState.NONE;
        });
  }

  /**
   * Before an alias is made: a blocked target is refused (TARGET_REFUSED). Answers whether the
   * alias needs no confirmation.
   */
  Future<Boolean> admit(String targetHash) {
    if (!config.required()) {
      return Future.succeededFuture(true);
    }
    return state(targetHash).compose(state -> state == TargetState.BLOCKED
        ? Future.failedFuture(StoreError.TARGET_REFUSED.exception("the target refused aliases"))
        : Future.succeededFuture(state == TargetState.CONFIRMED));
  }

  /**
   * After a waiting alias was made: listed under its target; a confirmation mail is due at most
   * once per resend interval and a few times a day (the token is then recorded, and returned).
   * If the target decided in the meantime, the decision is carried to the alias at once.
   */
  Future<Admission> waitFor(String targetHash, String aid, long createdAt, long expiresAt, int maxUsage) {
    List<String> keys = List.of(Keys.target(targetHash), Keys.waiting(targetHash));
    List<String> args = List.of(aid, Long.toString(config.pendingMillis()), Long.toString(config.resendMillis()),
        Integer.toString(config.mailsPerDay()));
    return call(WAITING.run(redis, keys, args)).compose(r -> {
      int outcome = r.get(0).toInteger();
      if (outcome == 2) {
        return activate(aid, targetHash).map(v -> new Admission(true, null));
      }
      if (outcome == -1) {
        return drop(aid, targetHash).map(v -> new Admission(false, null));
      }
      if (r.get(1).toInteger() == 0) {
        return Future.succeededFuture(new Admission(false, null));
      }
      String token = Secrets.newUpdateKey();
      List<String> record = List.of(targetHash, aid, Long.toString(createdAt), Long.toString(expiresAt),
          Integer.toString(maxUsage), Long.toString(config.pendingMillis()));
      return call(TOKEN.run(redis, List.of(Keys.token(Secrets.hash(token))), record))
          .map(ok -> new Admission(false, token));
    });
  }

  /** A claim found the alias waiting: its target's word decides (and is carried to the alias). */
  Future<TargetState> resolve(String aid, String targetHash) {
    return state(targetHash).compose(state -> switch (state) {
      case CONFIRMED -> activate(aid, targetHash).map(state);
      case BLOCKED -> drop(aid, targetHash).map(state);
      case NONE -> Future.succeededFuture(state);
    });
  }

  /** What the link of {@code token} stands for, with where its target stands now; NOT_FOUND when unknown or expired. */
  Future<Confirmation> show(String token) {
    return record(token).compose(r -> state(r.targetHash).compose(state -> waitingCount(r.targetHash)
        .map(waiting -> r.toConfirmation(stateOf(state), waiting))));
  }

  /** The target's decision, carried to each of its waiting aliases. */
  Future<Confirmation> decide(String token, Decision decision) {
    return record(token).compose(r -> {
      List<String> keys = List.of(Keys.target(r.targetHash), Keys.waiting(r.targetHash));
      List<String> args = List.of(decision == Decision.CONFIRM ? "confirm" : "block", Long.toString(config.validMillis()));
      return call(DECIDE.run(redis, keys, args)).compose(waiting -> {
        List<Future<Void>> carried = new ArrayList<>();
        for (Response aid : waiting) {
          carried.add(decision == Decision.CONFIRM ? activate(aid.toString(), r.targetHash) : drop(aid.toString(), r.targetHash));
        }
        LOG.info("confirmation: target {}… {} ({} waiting aliases)", r.targetHash.substring(0, 8),
            decision == Decision.CONFIRM ? "confirmed" : "blocked", waiting.size());
        return Future.all(carried).map(v -> r.toConfirmation(
            decision == Decision.CONFIRM ? Confirmation.State.CONFIRMED : Confirmation.State.BLOCKED, 0));
      });
    });
  }

  /** A link whose target confirmed: the target's hash and the alias the link was sent for. */
  record ConfirmedLink(String targetHash, String aid) {}

  /** NOT_FOUND for an unknown link, UNCONFIRMED when its target has not confirmed (or blocked). */
  Future<ConfirmedLink> confirmedLink(String token) {
    return record(token).compose(r -> state(r.targetHash).compose(state -> state == TargetState.CONFIRMED
        ? Future.succeededFuture(new ConfirmedLink(r.targetHash, r.aid))
        : Future.failedFuture(StoreError.UNCONFIRMED.exception("confirmation: the target has not confirmed"))));
  }

  /**
   * A link gives one API token (a reload of the page must not mint a second, and a link that
   * leaked later is worth less): true the first time, false after.
   */
  Future<Boolean> firstTokenOf(String token) {
    return call(redis.send(Request.cmd(Command.HSETNX).arg(Keys.token(Secrets.hash(token))).arg("tokened").arg(1)))
        .map(r -> r.toInteger() == 1);
  }

  private Future<Void> activate(String aid, String targetHash) {
    return call(ACTIVATE.run(redis, Keys.of(aid), List.of(targetHash))).mapEmpty();
  }

  private Future<Void> drop(String aid, String targetHash) {
    return call(DROP.run(redis, Keys.of(aid), List.of(targetHash))).mapEmpty();
  }

  private Future<Integer> waitingCount(String targetHash) {
    return call(redis.send(Request.cmd(Command.SCARD).arg(Keys.waiting(targetHash)))).map(Response::toInteger);
  }

  /** A link's record. */
  private record Link(String targetHash, String aid, long created, long expires, int max, long linkExpires) {
    Confirmation toConfirmation(Confirmation.State state, int waiting) {
      return new Confirmation(state, aid, created, expires, max, waiting, linkExpires);
    }
  }

  private Future<Link> record(String token) {
    if (token == null || token.length() < 16 || token.length() > 64 || !token.matches("[A-Za-z0-9_-]+")) {
      return Future.failedFuture(StoreError.NOT_FOUND.exception("confirmation: malformed token"));
    }
    String key = Keys.token(Secrets.hash(token));
    return call(redis.send(Request.cmd(Command.HMGET).arg(key).arg("th").arg("aid").arg("created").arg("expires")
            .arg("max").arg("until")))
        .compose(r -> r == null || r.get(0) == null
            ? Future.failedFuture(StoreError.NOT_FOUND.exception("confirmation: unknown or expired link"))
            : Future.succeededFuture(new Link(r.get(0).toString(), r.get(1).toString(), r.get(2).toLong(),
                r.get(3).toLong(), r.get(4).toInteger(), r.get(5).toLong())));
  }

  private static Confirmation.State stateOf(TargetState state) {
    return switch (state) {
      case CONFIRMED -> Confirmation.State.CONFIRMED;
      case BLOCKED -> Confirmation.State.BLOCKED;
      case NONE -> Confirmation.State.PENDING;
    };
  }

  private Future<Response> call(Future<Response> request) {
    return bounded.apply(request);
  }
}
