package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ClaimRef;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.ClaimState;
import org.tempalias.contract.SettleReply;
import org.tempalias.contract.SettleRequest;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.StoreAddress;

/**
 * The gateway's questions to alias-store, each bounded by {@code storeTimeoutMillis}. Claims are
 * named here (so a claim whose answer never came can still be released by its name), and a
 * settlement is retried with backoff until the store has answered it, through a Redis restart:
 * a lost USED would give a spent use back, a lost RELEASED would block one until its deadline.
 */
final class StoreClient {
  private static final Logger LOG = LoggerFactory.getLogger(StoreClient.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();
  private static final long FIRST_RETRY_MILLIS = 250;
  private static final long MAX_RETRY_MILLIS = 30_000;
  /** Past this, the store has decided by itself (lease or commit deadline) what we wanted to tell it. */
  private static final long GIVE_UP_MILLIS = 3_600_000;

  private final Vertx vertx;
  private final DeliveryOptions options;

  StoreClient(Vertx vertx, long timeoutMillis) {
    this.vertx = vertx;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** A fresh claim name: 96 random bits, URL-safe. */
  static String newClaimId() {
    byte[] bytes = new byte[12];
    RANDOM.nextBytes(bytes);
    return URL_SAFE.encodeToString(bytes);
  }

  /** Fails when the store is unreachable, slow or refuses: the caller answers 451 4.3.0 (and releases the name). */
  Future<ClaimReply> claim(String aid, String claimId, String transactionId, String senderDomain) {
    return request(StoreAddress.CLAIM, new ClaimRequest(aid, claimId, transactionId, senderDomain).toJson())
        .map(ClaimReply::fromJson);
  }

  /** Starts the claim's lease again; fails when the store does not answer. */
  Future<ClaimState.State> renew(String aid, String claimId) {
    return request(StoreAddress.RENEW, new ClaimRef(aid, claimId, 0).toJson()).map(j -> ClaimState.fromJson(j).state());
  }

  /** The check before the final dot (see {@link StoreAddress#COMMIT}); fails when the store does not answer. */
  Future<ClaimState.State> commit(String aid, String claimId, long holdMillis) {
    return request(StoreAddress.COMMIT, new ClaimRef(aid, claimId, holdMillis).toJson())
        .map(j -> ClaimState.fromJson(j).state());
  }

  /**
   * Settles one claim, and keeps trying (250 ms doubling to 30 s, for up to an hour) while the
   * store does not answer. Fire and forget: the session never waits for it.
   */
  void settle(String aid, String claimId, Settlement settlement, String senderDomain, String transactionId) {
    settle(new SettleRequest(aid, claimId, settlement, senderDomain), transactionId, System.currentTimeMillis(),
        FIRST_RETRY_MILLIS);
  }

  private void settle(SettleRequest req, String transactionId, long since, long nextDelay) {
    request(StoreAddress.SETTLE, req.toJson())
        .map(json -> SettleReply.fromJson(json).settled())
        .onSuccess(settled -> {
          if (!settled) {
            LOG.info("settle {} {} alias={} claim={}: claim was not open", transactionId, req.settlement(), req.aid(),
                req.claimId());
          } else if (nextDelay > FIRST_RETRY_MILLIS) {
            LOG.info("settle {} {} alias={} claim={}: settled after retrying", transactionId, req.settlement(),
                req.aid(), req.claimId());
          }
        })
        .onFailure(err -> {
          if (System.currentTimeMillis() - since > GIVE_UP_MILLIS) {
            LOG.warn("settle {} {} alias={} claim={} given up after an hour: {}", transactionId, req.settlement(),
                req.aid(), req.claimId(), err.toString());
            return;
          }
          LOG.warn("settle {} {} alias={} claim={} failed: {}; retrying in {} ms", transactionId, req.settlement(),
              req.aid(), req.claimId(), err.toString(), nextDelay);
          vertx.setTimer(nextDelay, t -> settle(req, transactionId, since, Math.min(MAX_RETRY_MILLIS, nextDelay * 2)));
        });
  }

  private Future<JsonObject> request(String address, JsonObject body) {
    return vertx.eventBus().<JsonObject>request(address, body, options).map(msg -> msg.body());
  }
}
