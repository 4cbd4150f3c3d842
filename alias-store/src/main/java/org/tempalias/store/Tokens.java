package org.tempalias.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.tempalias.contract.IssuedToken;
import org.tempalias.contract.StoreError;

/**
 * API tokens: the secret a password manager holds to make aliases for one confirmed target.
 * Only the token's SHA-256 names its record; the token itself leaves the store once, when it is
 * issued. A token lives while it is used (a year and a month of idleness forgets it) and until
 * it is revoked; the aliases made with it are listed under it (the newest {@value #LISTED}).
 */
final class Tokens {
  /** Recognisable to secret scanners, and never mistaken for an update key. */
  static final String PREFIX = "ta_";
  private static final long IDLE_MILLIS = TimeUnit.DAYS.toMillis(400);
  static final int LISTED = 1000;
  private static final Script ISSUE = Script.load("apitoken-issue");
  private static final Script USE = Script.load("apitoken-use");
  private static final Script REMEMBER = Script.load("apitoken-remember");

  /** A token's record. */
  record Holder(String hash, String targetHash, String target, long lifetimeMillis, int maxUsage) {}

  private final RedisGate redis;
  private final Function<Future<Response>, Future<Response>> bounded;

  Tokens(RedisGate redis, Function<Future<Response>, Future<Response>> bounded) {
    this.redis = redis;
    this.bounded = bounded;
  }

  Future<IssuedToken> issue(String target, String targetHash, long lifetimeMillis, int maxUsage) {
    String token = PREFIX + Secrets.newApiToken();
    List<String> args = List.of(targetHash, target, Long.toString(lifetimeMillis), Integer.toString(maxUsage),
        Long.toString(IDLE_MILLIS));
    return call(ISSUE.run(redis, List.of(Keys.apiToken(Secrets.hash(token))), args))
        .map(created -> new IssuedToken(token, target, lifetimeMillis, maxUsage, created.toLong()));
  }

  /** The token's record (its idle time starts again); FORBIDDEN for a token we do not know. */
  Future<Holder> use(String token) {
    if (!wellFormed(token)) {
      return Future.failedFuture(StoreError.FORBIDDEN.exception("token: malformed"));
    }
    String hash = Secrets.hash(token);
    return call(USE.run(redis, List.of(Keys.apiToken(hash), Keys.apiTokenAliases(hash)), List.of(Long.toString(IDLE_MILLIS))))
        .compose(r -> r == null
            ? Future.failedFuture(StoreError.FORBIDDEN.exception("token " + hash.substring(0, 8) + "…: unknown or revoked"))
            : Future.succeededFuture(new Holder(hash, r.get(0).toString(), r.get(1).toString(), r.get(2).toLong(),
                r.get(3).toInteger())));
  }

  /** Lists an alias made with the token. */
  Future<Void> remember(Holder holder, String aid, long createdAtMillis) {
    return call(REMEMBER.run(redis, List.of(Keys.apiToken(holder.hash()), Keys.apiTokenAliases(holder.hash())),
        List.of(aid, Long.toString(createdAtMillis), Integer.toString(LISTED)))).mapEmpty();
  }

  /** The newest ids listed under the token (some may be gone: {@link #forget} them). */
  Future<List<String>> listed(Holder holder, int limit) {
    return call(redis.send(Request.cmd(Command.ZREVRANGE).arg(Keys.apiTokenAliases(holder.hash())).arg(0).arg(limit - 1)))
        .map(r -> r.stream().map(Response::toString).toList());
  }

  Future<Void> forget(Holder holder, List<String> aids) {
    if (aids.isEmpty()) {
      return Future.succeededFuture();
    }
    Request zrem = Request.cmd(Command.ZREM).arg(Keys.apiTokenAliases(holder.hash()));
    aids.forEach(zrem::arg);
    return call(redis.send(zrem)).mapEmpty();
  }

  /** Revokes the token (its aliases keep forwarding); FORBIDDEN when there is no such token. */
  Future<Void> revoke(String token) {
    if (!wellFormed(token)) {
      return Future.failedFuture(StoreError.FORBIDDEN.exception("token: malformed"));
    }
    String hash = Secrets.hash(token);
    return call(redis.send(Request.cmd(Command.DEL).arg(Keys.apiToken(hash)).arg(Keys.apiTokenAliases(hash))))
        .compose(r -> r.toInteger() == 0
            ? Future.failedFuture(StoreError.FORBIDDEN.exception("revoke: unknown or revoked token"))
            : Future.succeededFuture());
  }

  static boolean wellFormed(String token) {
    return token != null && token.length() >= 20 && token.length() <= 100 && token.matches("[A-Za-z0-9_-]+");
  }

  private Future<Response> call(Future<Response> request) {
    return bounded.apply(request);
  }
}
