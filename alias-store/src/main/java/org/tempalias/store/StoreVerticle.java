package org.tempalias.store;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.util.List;
import java.util.regex.Pattern;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.AliasList;
import org.tempalias.contract.AliasUpdate;
import org.tempalias.contract.ClaimRef;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.ConfirmationRequest;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.SenderLock;
import org.tempalias.contract.SettleReply;
import org.tempalias.contract.SettleRequest;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;
import org.tempalias.contract.TokenIssue;
import org.tempalias.contract.TokenRequest;

/**
 * The alias store: the only code that talks to Redis. Consumes the {@link StoreAddress} doors;
 * every change of more than one step is one Lua script, so concurrent callers (any number of
 * gateway and API instances) cannot interleave inside it.
 *
 * <p>Deploy with a configuration holding {@code {"store": {"redisUrl": "redis://host:port"}}}.
 * {@link #start()} does not wait for Redis: while Redis is unreachable every request fails
 * {@link StoreError#UNAVAILABLE} within {@code redisTimeoutMillis}, and the pooled client
 * reconnects by itself once Redis is back.
 */
public class StoreVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(StoreVerticle.class);
  /** A collision among 36^10 ids is already rare; several in a row mean something else is wrong. */
  private static final int CREATE_ATTEMPTS = 5;
  private static final long RATE_WINDOW_MILLIS = 60_000;
  private static final JsonObject EMPTY = new JsonObject();
  /** A caller's claim name: URL-safe, long enough to be unguessable, short enough for a log line. */
  private static final Pattern CLAIM_ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");
  /**
   * How long a released claim id stays cancelled: longer than any claim request can sit queued in
   * a stalled Redis behind the caller's timeout.
   */
  private static final long CANCEL_KEEP_MILLIS = 600_000;
  private static final long MAX_HOLD_MILLIS = 86_400_000;
  /** The newest aliases a token's list shows (each is one status read). */
  private static final int LIST_LIMIT = 100;
  /** Lists per token per minute: each reads up to {@value #LIST_LIMIT} statuses. */
  private static final int LISTS_PER_MINUTE = 30;

  private static final Script CREATE = Script.load("create");
  private static final Script CLAIM = Script.withClaims("claim");
  private static final Script RENEW = Script.withClaims("renew");
  private static final Script COMMIT = Script.withClaims("commit");
  private static final Script SETTLE = Script.withClaims("settle");
  private static final Script UPDATE = Script.withClaims("update");
  private static final Script STATUS = Script.load("status");
  private static final Script RATE_LIMIT = Script.load("ratelimit");

  private final Supplier<String> ids;
  private StoreConfig config;
  private Redis client;
  private RedisGate redis;
  private Confirmations confirmations;
  private Tokens tokens;

  public StoreVerticle() {
    this(Secrets::newAliasId);
  }

  /** For tests that need to force an id collision. */
  StoreVerticle(Supplier<String> ids) {
    this.ids = ids;
  }

  @Override
  public Future<?> start() {
    try {
      config = StoreConfig.from(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    ConfirmConfig confirm;
    try {
      confirm = ConfirmConfig.from(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    client = Redis.createClient(vertx, config.redisOptions());
    redis = new RedisGate(client, config.maxRedisCallsInFlight(), config.redisMaxPoolWaiting(),
        config.redisTimeoutMillis());
    return targetSecret(confirm).compose(secret -> {
      confirmations = new Confirmations(confirm, secret, redis, this::bounded);
      tokens = new Tokens(redis, this::bounded);
      return listen();
    });
  }

  /** The key of the targets' hash: from the file, else one random key per deployment (warned). */
  private Future<byte[]> targetSecret(ConfirmConfig confirm) {
    if (confirm.secretFile() != null) {
      return vertx.executeBlocking(() -> Secrets.readKey(confirm.secretFile()));
    }
    return Future.succeededFuture(vertx.sharedData().<String, byte[]>getLocalMap("tempalias.store.targetKey")
        .computeIfAbsent(deploymentID(), id -> {
          if (confirm.required()) {
            LOG.warn("confirm.secretFile not set: targets are hashed with a random key that a restart forgets"
                + " (their confirmations with it)");
          }
          return Secrets.newKey();
        }));
  }

  private Future<?> listen() {
    probe();
    EventBus bus = vertx.eventBus();
    List<MessageConsumer<JsonObject>> consumers = List.of(
        bus.consumer(StoreAddress.CREATE, this::onCreate),
        bus.consumer(StoreAddress.GET, this::onGet),
        bus.consumer(StoreAddress.DELETE, this::onDelete),
        bus.consumer(StoreAddress.UPDATE, this::onUpdate),
        bus.consumer(StoreAddress.CLAIM, this::onClaim),
        bus.consumer(StoreAddress.RENEW, this::onRenew),
        bus.consumer(StoreAddress.COMMIT, this::onCommit),
        bus.consumer(StoreAddress.SETTLE, this::onSettle),
        bus.consumer(StoreAddress.CONFIRMATION, this::onConfirmation),
        bus.consumer(StoreAddress.DECIDE, this::onDecide),
        bus.consumer(StoreAddress.TOKEN_ISSUE, this::onTokenIssue),
        bus.consumer(StoreAddress.TOKEN_CREATE, this::onTokenCreate),
        bus.consumer(StoreAddress.TOKEN_LIST, this::onTokenList),
        bus.consumer(StoreAddress.TOKEN_REVOKE, this::onTokenRevoke),
        bus.consumer(StoreAddress.PING, this::onPing));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList())
        .onSuccess(v -> LOG.info("store: ready, Redis {} {} (lease {} s, {} creations/min/IP, timeout {} ms)",
            config.redisMode().name().toLowerCase(Locale.ROOT), config.redactedEndpoints(),
            config.claimLeaseSeconds(), config.createLimitPerMinute(), config.redisTimeoutMillis()));
  }

  @Override
  public Future<?> stop() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  /** Says at start whether Redis answers; never fails start (requests fail until it does). */
  private void probe() {
    bounded(redis.send(Request.cmd(Command.PING)))
        .onSuccess(r -> LOG.info("store: Redis answers PING"))
        .onFailure(e -> LOG.warn("store: Redis not reachable yet ({}); requests fail UNAVAILABLE until it is",
            e.getMessage()));
  }

  // ---- create ------------------------------------------------------------------------------

  private void onCreate(Message<JsonObject> msg) {
    CreateAlias req;
    try {
      req = CreateAlias.fromJson(msg.body());
    } catch (RuntimeException e) {
      refuse(msg, StoreError.INVALID, "create: malformed request");
      return;
    }
    String problem = CreateCheck.problem(req, config);
    if (problem != null) {
      refuse(msg, StoreError.INVALID, "create: invalid request from " + req.clientIp() + ": " + problem);
      return;
    }
    withinRateLimit(req.clientIp())
        .compose(allowed -> allowed
            ? admitAndInsert(req)
            : Future.failedFuture(StoreError.RATE_LIMITED.exception(
                "more than " + config.createLimitPerMinute() + " creations per minute from " + req.clientIp())))
        .onSuccess(created -> {
          LOG.info("create: aid={} maxUsage={} expiresAt={} client={} confirmed={}{}",
              created.aid(), created.maxUsage(), created.expiresAtMillis(), req.clientIp(), created.confirmed(),
              created.confirmToken() != null ? " (confirmation mail due)" : "");
          LOG.debug("create: aid={} target={}", created.aid(), created.target());
          msg.reply(created.toJson());
        })
        .onFailure(failed(msg, "create from " + req.clientIp()));
  }

  private Future<Boolean> listsWithinLimit(Tokens.Holder holder) {
    String key = "ratelimit:list:{token:" + holder.hash() + "}";
    return bounded(RATE_LIMIT.run(redis, List.of(key), List.of(Long.toString(RATE_WINDOW_MILLIS))))
        .map(count -> count.toLong() <= LISTS_PER_MINUTE);
  }

  private Future<Boolean> withinRateLimit(String clientIp) {
    if (config.createLimitPerMinute() == 0 || clientIp == null) {
      return Future.succeededFuture(true);
    }
    String key = "ratelimit:create:{" + clientIp + "}";
    return bounded(RATE_LIMIT.run(redis, List.of(key), List.of(Long.toString(RATE_WINDOW_MILLIS))))
        .map(count -> count.toLong() <= config.createLimitPerMinute());
  }

  /**
   * The alias, after its target's word: a blocked target is refused; an unconfirmed one makes the
   * alias wait (and may get a confirmation mail); a confirmed one forwards at once.
   */
  private Future<CreatedAlias> admitAndInsert(CreateAlias req) {
    String targetHash = confirmations.targetHash(req.target());
    return confirmations.admit(targetHash).compose(confirmed -> insert(req, targetHash,
            confirmed ? 0 : confirmations.pendingMillis(), Secrets.newUpdateKey(), 1)
        .compose(created -> confirmed ? Future.succeededFuture(created)
            : confirmations.waitFor(targetHash, created.aid(), created.createdAtMillis(), created.expiresAtMillis(),
                    created.maxUsage())
                .map(admission -> new CreatedAlias(created.aid(), created.target(), created.createdAtMillis(),
                    created.expiresAtMillis(), created.maxUsage(), created.updateKey(), admission.confirmed(),
                    admission.mailToken()))));
  }

  private Future<CreatedAlias> insert(CreateAlias req, String targetHash, long waitMillis, String updateKey, int attempt) {
    String aid = ids.get();
    List<String> args = List.of(req.target(), Long.toString(req.lifetimeMillis()),
        Integer.toString(req.maxUsage()), Secrets.hash(updateKey), targetHash, Long.toString(waitMillis),
        String.join(" ", req.lock().domains()), req.lock().firstSender() ? "1" : "0",
        req.description() == null ? "" : req.description());
    return bounded(CREATE.run(redis, List.of(Keys.alias(aid)), args)).compose(r -> {
      if (r.type() == ResponseType.NUMBER) {
        if (attempt >= CREATE_ATTEMPTS) {
          return Future.failedFuture(StoreError.UNAVAILABLE.exception(
              "no free alias id after " + attempt + " attempts"));
        }
        LOG.info("create: id {} is taken, retrying with a new one", aid);
        return insert(req, targetHash, waitMillis, updateKey, attempt + 1);
      }
      return Future.succeededFuture(new CreatedAlias(
          aid, req.target(), r.get(0).toLong(), r.get(1).toLong(), req.maxUsage(), updateKey));
    });
  }

  // ---- get / delete ------------------------------------------------------------------------

  private void onGet(Message<JsonObject> msg) {
    AliasKey req = aliasKey(msg, "get");
    if (req == null) {
      return;
    }
    statusOf(req, "get")
        .onSuccess(status -> {
          LOG.info("get: aid={} usesLeft={} inFlight={} forwarded={} confirmed={}",
              status.aid(), status.usesLeft(), status.usesInFlight(), status.forwarded(), status.confirmed());
          msg.reply(status.toJson());
        })
        .onFailure(failed(msg, "get aid=" + req.aid()));
  }

  /** What the owner of an alias sees, once the update key matched. */
  private Future<AliasStatus> statusOf(AliasKey req, String op) {
    String aid = req.aid();
    return bounded(STATUS.run(redis, Keys.of(aid), List.of())).compose(r -> {
      if (r == null) {
        return Future.failedFuture(StoreError.NOT_FOUND.exception(op + ": aid=" + aid + " not found"));
      }
      if (!Secrets.matches(req.updateKey(), r.get(6).toString())) {
        return Future.failedFuture(StoreError.FORBIDDEN.exception(op + ": aid=" + aid + " wrong update key"));
      }
      Future<Confirmations.TargetState> target = r.get(8).toInteger() == 1
          ? confirmations.resolve(aid, r.get(9).toString())
          : Future.succeededFuture(Confirmations.TargetState.CONFIRMED);
      return target.compose(state -> state == Confirmations.TargetState.BLOCKED
          ? Future.failedFuture(StoreError.NOT_FOUND.exception(op + ": aid=" + aid + " its target refused it"))
          : Future.succeededFuture(status(aid, r, state == Confirmations.TargetState.CONFIRMED)));
    });
  }

  // ---- update ------------------------------------------------------------------------------

  private void onUpdate(Message<JsonObject> msg) {
    AliasUpdate raw = decoded(msg, AliasUpdate::fromJson);
    AliasKey key = raw == null ? null : aliasKey(msg, "update", new AliasKey(raw.aid(), raw.updateKey()));
    if (key == null) {
      return;
    }
    AliasUpdate req = new AliasUpdate(key.aid(), key.updateKey(), raw.lifetimeMillis(), raw.usesLeft());
    String problem = UpdateCheck.problem(req, config);
    if (problem != null) {
      refuse(msg, StoreError.INVALID, "update: aid=" + req.aid() + ": " + problem);
      return;
    }
    List<String> args = List.of(Secrets.hash(req.updateKey() == null ? "" : req.updateKey()),
        req.lifetimeMillis() == null ? "" : Long.toString(req.lifetimeMillis()),
        req.usesLeft() == null ? "" : Integer.toString(req.usesLeft()));
    bounded(UPDATE.run(redis, Keys.of(req.aid()), args))
        .compose(r -> switch (r.toInteger()) {
          case 3 -> statusOf(key, "update");
          case 2 -> Future.failedFuture(StoreError.INVALID.exception(
              "update: aid=" + req.aid() + " would have neither a time nor a use limit"));
          case 1 -> Future.failedFuture(StoreError.FORBIDDEN.exception("update: aid=" + req.aid() + " wrong update key"));
          default -> Future.failedFuture(StoreError.NOT_FOUND.exception("update: aid=" + req.aid() + " not found"));
        })
        .onSuccess(status -> {
          LOG.info("update: aid={} lifetimeMillis={} usesLeft={} -> expiresAt={} usesLeft={}", req.aid(),
              req.lifetimeMillis(), req.usesLeft(), status.expiresAtMillis(), status.usesLeft());
          msg.reply(status.toJson());
        })
        .onFailure(failed(msg, "update aid=" + req.aid()));
  }

  private static AliasStatus status(String aid, Response r, boolean confirmed) {
    int max = r.get(3).toInteger();
    int live = r.get(7).toInteger();
    String senders = r.get(10).toString();
    SenderLock lock = new SenderLock(senders.isEmpty() ? List.of() : List.of(senders.split(" ")),
        "first".equals(r.get(11).toString()));
    String note = r.get(12).toString();
    return new AliasStatus(aid, r.get(0).toString(), r.get(1).toLong(), r.get(2).toLong(), max,
        max > 0 ? Math.max(0, r.get(4).toInteger() - live) : -1, live, r.get(5).toLong(), confirmed, lock,
        note.isEmpty() ? null : note);
  }

  private void onDelete(Message<JsonObject> msg) {
    AliasKey req = aliasKey(msg, "delete");
    if (req == null) {
      return;
    }
    String aid = req.aid();
    bounded(redis.send(Request.cmd(Command.HGET).arg(Keys.alias(aid)).arg(Keys.UPDATE_KEY_FIELD)))
        .compose(stored -> {
          if (stored == null) {
            return Future.failedFuture(StoreError.NOT_FOUND.exception("delete: aid=" + aid + " not found"));
          }
          if (!Secrets.matches(req.updateKey(), stored.toString())) {
            return Future.failedFuture(StoreError.FORBIDDEN.exception("delete: aid=" + aid + " wrong update key"));
          }
          // One DEL of both keys: they share the hash tag, so this is one atomic step on a cluster too.
          Request del = Request.cmd(Command.DEL);
          Keys.of(aid).forEach(del::arg);
          return bounded(redis.send(del));
        })
        .onSuccess(r -> {
          LOG.info("delete: aid={} deleted", aid);
          msg.reply(EMPTY);
        })
        .onFailure(failed(msg, "delete aid=" + aid));
  }

  /** The request with its id lower-cased, or null once it was refused NOT_FOUND (no or no well-formed id). */
  private AliasKey aliasKey(Message<JsonObject> msg, String op) {
    return aliasKey(msg, op, decoded(msg, AliasKey::fromJson));
  }

  private AliasKey aliasKey(Message<JsonObject> msg, String op, AliasKey req) {
    if (req == null || req.aid() == null) {
      refuse(msg, StoreError.NOT_FOUND, op + ": request without an alias id");
      return null;
    }
    String aid = req.aid().toLowerCase(Locale.ROOT);
    if (!AliasId.isWellFormed(aid)) {
      refuse(msg, StoreError.NOT_FOUND, op + ": aid=" + aid + " is not an alias id");
      return null;
    }
    return new AliasKey(aid, req.updateKey());
  }

  // ---- claim / settle ----------------------------------------------------------------------

  private void onClaim(Message<JsonObject> msg) {
    ClaimRequest req;
    try {
      req = ClaimRequest.fromJson(msg.body());
    } catch (RuntimeException e) {
      req = new ClaimRequest(null, null, null);
    }
    String aid = req.aid() == null ? null : req.aid().toLowerCase(Locale.ROOT);
    String tx = req.transactionId();
    if (!AliasId.isWellFormed(aid) || (req.claimId() != null && !CLAIM_ID.matcher(req.claimId()).matches())) {
      LOG.info("claim: tx={} aid={} -> UNKNOWN (not an alias id, or a malformed claim id)", tx, aid);
      msg.reply(ClaimReply.unknown().toJson());
      return;
    }
    String claimId = req.claimId() != null ? req.claimId() : Secrets.newClaimId();
    long lease = config.claimLeaseMillis();
    String sender = req.senderDomain() == null ? "" : req.senderDomain();
    if (!sender.isEmpty() && !sender.equals(SenderLock.normalize(sender))) {
      sender = ""; // not a domain name: no lock allows it (the gateway sends normalized names)
    }
    claim(aid, claimId, sender, true)
        .onSuccess(reply -> {
          // DEBUG: the gateway logs each refusal where it answers the RCPT, and a granted claim's
          // record is its settle line.
          LOG.debug("claim: tx={} aid={} claim={} -> {}", tx, aid, claimId, reply.outcome());
          msg.reply(reply.toJson());
        })
        .onFailure(failed(msg, "claim tx=" + tx + " aid=" + aid));
  }

  /** The claim script; an alias still waiting for its target asks the target once (see Confirmations). */
  private Future<ClaimReply> claim(String aid, String claimId, String sender, boolean mayResolve) {
    long lease = config.claimLeaseMillis();
    return bounded(CLAIM.run(redis, Keys.of(aid), List.of(claimId, Long.toString(lease), sender))).compose(r -> {
      switch (r.get(0).toInteger()) {
        case 2:
          return Future.succeededFuture(ClaimReply.claimed(claimId, r.get(1).toString(), lease));
        case 1:
          return Future.succeededFuture(ClaimReply.busy());
        case 5:
          return Future.succeededFuture(ClaimReply.senderRefused());
        case 4:
          if (!mayResolve) {
            return Future.succeededFuture(ClaimReply.pending());
          }
          return confirmations.resolve(aid, r.get(1).toString()).compose(state -> switch (state) {
            case CONFIRMED -> claim(aid, claimId, sender, false);
            case BLOCKED -> Future.succeededFuture(ClaimReply.unknown());
            case NONE -> Future.succeededFuture(ClaimReply.pending());
          });
        default: // 0 unknown, 3 released before it was answered
          return Future.succeededFuture(ClaimReply.unknown());
      }
    });
  }

  private void onRenew(Message<JsonObject> msg) {
    ClaimRef ref = claimRef(msg, "renew");
    if (ref != null) {
      claimState(msg, "renew", ref, RENEW, config.claimLeaseMillis());
    }
  }

  private void onCommit(Message<JsonObject> msg) {
    ClaimRef ref = claimRef(msg, "commit");
    if (ref == null) {
      return;
    }
    if (ref.holdMillis() < 1 || ref.holdMillis() > MAX_HOLD_MILLIS) {
      refuse(msg, StoreError.INVALID, "commit: aid=" + ref.aid() + " holdMillis out of range: " + ref.holdMillis());
      return;
    }
    claimState(msg, "commit", ref, COMMIT, ref.holdMillis());
  }

  /** RENEW and COMMIT: one script on one claim, answered HELD, LAPSED or GONE. */
  private void claimState(Message<JsonObject> msg, String op, ClaimRef ref, Script script, long millis) {
    bounded(script.run(redis, Keys.of(ref.aid()), List.of(ref.claimId(), Long.toString(millis))))
        .onSuccess(r -> {
          ClaimState.State state = switch (r.toInteger()) {
            case 2 -> ClaimState.State.HELD;
            case 1 -> ClaimState.State.LAPSED;
            default -> ClaimState.State.GONE;
          };
          if (state == ClaimState.State.HELD) {
            LOG.debug("{}: aid={} claim={} -> HELD", op, ref.aid(), ref.claimId());
          } else {
            LOG.info("{}: aid={} claim={} -> {}", op, ref.aid(), ref.claimId(), state);
          }
          msg.reply(new ClaimState(state).toJson());
        })
        .onFailure(failed(msg, op + " aid=" + ref.aid() + " claim=" + ref.claimId()));
  }

  /** The request with its id lower-cased, or null once it was answered GONE (a malformed one). */
  private ClaimRef claimRef(Message<JsonObject> msg, String op) {
    ClaimRef ref = decoded(msg, ClaimRef::fromJson);
    String aid = ref == null || ref.aid() == null ? null : ref.aid().toLowerCase(Locale.ROOT);
    if (!AliasId.isWellFormed(aid) || ref.claimId() == null || !CLAIM_ID.matcher(ref.claimId()).matches()) {
      LOG.info("{}: malformed request {} -> GONE", op, msg.body());
      msg.reply(new ClaimState(ClaimState.State.GONE).toJson());
      return null;
    }
    return new ClaimRef(aid, ref.claimId(), ref.holdMillis());
  }

  private void onSettle(Message<JsonObject> msg) {
    SettleRequest req = decoded(msg, SettleRequest::fromJson);
    if (req == null || req.claimId() == null || req.settlement() == null
        || !AliasId.isWellFormed(req.aid() == null ? null : req.aid().toLowerCase(Locale.ROOT))) {
      LOG.info("settle: malformed request {} -> not settled", msg.body());
      msg.reply(new SettleReply(false).toJson());
      return;
    }
    String aid = req.aid().toLowerCase(Locale.ROOT);
    SettleRequest.Settlement settlement = req.settlement();
    String claimId = req.claimId();
    String sender = req.senderDomain() == null || !req.senderDomain().equals(SenderLock.normalize(req.senderDomain()))
        ? "" : req.senderDomain();
    bounded(SETTLE.run(redis, Keys.of(aid),
            List.of(claimId, settlement.name(), Long.toString(CANCEL_KEEP_MILLIS), sender)))
        .onSuccess(r -> {
          int outcome = r.toInteger();
          LOG.info("settle: aid={} claim={} {} -> {}", aid, claimId, settlement,
              switch (outcome) {
                case 2 -> "settled, last use spent, alias deleted";
                case 1 -> "settled";
                default -> settlement == SettleRequest.Settlement.USED
                    ? "not open (unknown, already settled, lease passed or alias gone)"
                    : "not open; the claim id is cancelled";
              });
          msg.reply(new SettleReply(outcome > 0).toJson());
        })
        .onFailure(failed(msg, "settle aid=" + aid + " claim=" + claimId));
  }

  // ---- confirmations ----------------------------------------------------------------------

  private void onConfirmation(Message<JsonObject> msg) {
    ConfirmationRequest req = decoded(msg, ConfirmationRequest::fromJson);
    confirmations.show(req == null ? null : req.token())
        .onSuccess(c -> msg.reply(c.toJson()))
        .onFailure(failed(msg, "confirmation"));
  }

  private void onDecide(Message<JsonObject> msg) {
    ConfirmationRequest req = decoded(msg, ConfirmationRequest::fromJson);
    if (req == null || req.decision() == null) {
      refuse(msg, StoreError.NOT_FOUND, "decide: no decision");
      return;
    }
    confirmations.decide(req.token(), req.decision())
        .onSuccess(c -> msg.reply(c.toJson()))
        .onFailure(failed(msg, "decide"));
  }

  // ---- API tokens --------------------------------------------------------------------------

  private void onTokenIssue(Message<JsonObject> msg) {
    TokenIssue req = decoded(msg, TokenIssue::fromJson);
    String problem = req == null ? "malformed request" : TokenCheck.problem(req, config);
    if (problem != null) {
      refuse(msg, StoreError.INVALID, "token issue: " + problem);
      return;
    }
    withinRateLimit(req.clientIp())
        .compose(allowed -> allowed ? tokenTarget(req) : Future.failedFuture(StoreError.RATE_LIMITED.exception(
            "token issue: more than " + config.createLimitPerMinute() + " per minute from " + req.clientIp())))
        .compose(target -> tokens.issue(target, confirmations.targetHash(target), req.lifetimeMillis(), req.maxUsage()))
        .onSuccess(issued -> {
          LOG.info("token issue: via {} lifetimeMillis={} maxUsage={} client={}",
              req.aid() != null ? "alias " + req.aid() : "confirmation link", req.lifetimeMillis(), req.maxUsage(),
              req.clientIp());
          msg.reply(issued.toJson());
        })
        .onFailure(failed(msg, "token issue"));
  }

  /** The confirmed target a token is asked for: through an alias and its key, or a confirmed link. */
  private Future<String> tokenTarget(TokenIssue req) {
    if (req.aid() != null) {
      String aid = req.aid().toLowerCase(Locale.ROOT);
      if (!AliasId.isWellFormed(aid)) {
        return Future.failedFuture(StoreError.NOT_FOUND.exception("token issue: aid=" + aid + " is not an alias id"));
      }
      return statusOf(new AliasKey(aid, req.updateKey()), "token issue").compose(status -> status.confirmed()
          ? Future.succeededFuture(status.target())
          : Future.failedFuture(StoreError.UNCONFIRMED.exception("token issue: aid=" + aid + " target not confirmed")));
    }
    return confirmations.confirmedLink(req.confirmToken()).compose(link ->
        bounded(redis.send(Request.cmd(Command.HMGET).arg(Keys.alias(link.aid())).arg("target").arg("th")))
            .compose(r -> r != null && r.get(0) != null && link.targetHash().equals(String.valueOf(r.get(1)))
                ? Future.succeededFuture(r.get(0).toString())
                : Future.failedFuture(StoreError.NOT_FOUND.exception(
                    "token issue: the alias this link was sent for is gone")))
            .compose(target -> confirmations.firstTokenOf(req.confirmToken()).compose(first -> first
                ? Future.succeededFuture(target)
                : Future.failedFuture(StoreError.INVALID.exception("token issue: this link gave its token already")))));
  }

  private void onTokenCreate(Message<JsonObject> msg) {
    TokenRequest req = decoded(msg, TokenRequest::fromJson);
    String problem = req == null ? "malformed request" : CreateCheck.descriptionProblem(req.description());
    if (problem != null) {
      refuse(msg, StoreError.INVALID, "token create: " + problem);
      return;
    }
    tokens.use(req.token())
        .compose(holder -> withinRateLimit(req.clientIp())
            // A token used from many addresses is still bounded: it has a count of its own.
            .compose(allowed -> allowed ? withinRateLimit("token:" + holder.hash()) : Future.succeededFuture(false))
            .compose(allowed -> allowed
                ? insertForToken(holder, req)
                : Future.failedFuture(StoreError.RATE_LIMITED.exception("token create: over "
                    + config.createLimitPerMinute() + " per minute from " + req.clientIp() + " or for the token")))
            .compose(created -> tokens.remember(holder, created.aid(), created.createdAtMillis()).map(created)))
        .onSuccess(created -> {
          LOG.info("token create: aid={} maxUsage={} expiresAt={} client={} confirmed={}", created.aid(),
              created.maxUsage(), created.expiresAtMillis(), req.clientIp(), created.confirmed());
          msg.reply(created.toJson());
        })
        .onFailure(failed(msg, "token create from " + (req == null ? null : req.clientIp())));
  }

  /**
   * The token's limits as they were issued, within today's caps (an operator may have lowered
   * them since), checked like any creation.
   */
  private Future<CreatedAlias> insertForToken(Tokens.Holder holder, TokenRequest req) {
    long lifetime = Math.min(holder.lifetimeMillis(), config.maxLifetimeMillis());
    int uses = Math.min(holder.maxUsage(), config.maxUsage());
    CreateAlias create = new CreateAlias(holder.target(), lifetime, uses, req.clientIp(), SenderLock.NONE,
        req.description());
    String problem = CreateCheck.problem(create, config);
    return problem != null
        ? Future.failedFuture(StoreError.INVALID.exception("token create: " + problem))
        : admitAndInsert(create);
  }

  private void onTokenList(Message<JsonObject> msg) {
    TokenRequest req = decoded(msg, TokenRequest::fromJson);
    tokens.use(req == null ? null : req.token())
        .compose(holder -> listsWithinLimit(holder).compose(allowed -> allowed ? Future.succeededFuture(holder)
            : Future.failedFuture(StoreError.RATE_LIMITED.exception(
                "token list: more than " + LISTS_PER_MINUTE + " per minute"))))
        .compose(holder -> tokens.listed(holder, LIST_LIMIT).compose(aids -> {
          List<Future<Response>> reads = aids.stream()
              .map(aid -> bounded(STATUS.run(redis, Keys.of(aid), List.of()))).toList();
          return Future.all(reads).compose(all -> {
            List<AliasStatus> alive = new java.util.ArrayList<>();
            List<String> gone = new java.util.ArrayList<>();
            for (int i = 0; i < aids.size(); i++) {
              Response r = reads.get(i).result();
              if (r == null) {
                gone.add(aids.get(i));
              } else {
                alive.add(status(aids.get(i), r, r.get(8).toInteger() == 0));
              }
            }
            return tokens.forget(holder, gone).map(v -> new AliasList(alive));
          });
        }))
        .onSuccess(list -> msg.reply(list.toJson()))
        .onFailure(failed(msg, "token list"));
  }

  private void onTokenRevoke(Message<JsonObject> msg) {
    TokenRequest req = decoded(msg, TokenRequest::fromJson);
    tokens.revoke(req == null ? null : req.token())
        .onSuccess(v -> {
          LOG.info("token revoke: revoked");
          msg.reply(EMPTY);
        })
        .onFailure(failed(msg, "token revoke"));
  }

  // ---- ping --------------------------------------------------------------------------------

  private void onPing(Message<JsonObject> msg) {
    bounded(redis.send(Request.cmd(Command.PING)))
        .onSuccess(r -> msg.reply(EMPTY))
        .onFailure(failed(msg, "ping"));
  }

  // ---- replies -----------------------------------------------------------------------------

  /** The request decoded, or null when it is not the record it should be (callers refuse it). */
  private static <T> T decoded(Message<JsonObject> msg, Function<JsonObject, T> fromJson) {
    try {
      return fromJson.apply(msg.body());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private <T> Future<T> bounded(Future<T> call) {
    return call.timeout(config.redisTimeoutMillis(), TimeUnit.MILLISECONDS);
  }

  private static void refuse(Message<?> msg, StoreError error, String why) {
    LOG.info("{} -> {}", why, error);
    msg.fail(error.code(), why);
  }

  /** Our own refusals keep their code; anything else (timeout, Redis error) is UNAVAILABLE. */
  private static Handler<Throwable> failed(Message<?> msg, String what) {
    return failure -> {
      if (failure instanceof ReplyException re && StoreError.of(re) != StoreError.UNAVAILABLE) {
        refuse(msg, StoreError.of(re), re.getMessage());
      } else {
        LOG.warn("{} -> UNAVAILABLE: {}", what, failure.toString());
        msg.fail(StoreError.UNAVAILABLE.code(), "store unavailable: " + failure.getMessage());
      }
    };
  }
}
