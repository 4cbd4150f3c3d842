package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ClaimReply;
import org.tempalias.contract.ClaimRequest;
import org.tempalias.contract.SettleReply;
import org.tempalias.contract.SettleRequest;
import org.tempalias.contract.StoreAddress;

/** The gateway's two questions to alias-store, each bounded by {@code storeTimeoutMillis}. */
final class StoreClient {
  private static final Logger LOG = LoggerFactory.getLogger(StoreClient.class);

  private final EventBus bus;
  private final DeliveryOptions options;

  StoreClient(EventBus bus, long timeoutMillis) {
    this.bus = bus;
    this.options = new DeliveryOptions().setSendTimeout(timeoutMillis);
  }

  /** Fails when the store is unreachable, slow or refuses: the caller answers 451 4.3.0. */
  Future<ClaimReply> claim(String aid, String transactionId) {
    return bus.<JsonObject>request(StoreAddress.CLAIM, new ClaimRequest(aid, transactionId).toJson(), options)
        .map(msg -> ClaimReply.fromJson(msg.body()));
  }

  /**
   * Settles one claim. Never fails: a settlement that does not arrive is resolved by the store's
   * lease (the claim is released), which is the safe side for USED too (the use is not spent).
   */
  Future<Boolean> settle(String aid, String claimId, SettleRequest.Settlement settlement, String transactionId) {
    return bus.<JsonObject>request(StoreAddress.SETTLE, new SettleRequest(aid, claimId, settlement).toJson(), options)
        .map(msg -> SettleReply.fromJson(msg.body()).settled())
        .onSuccess(settled -> {
          if (!settled) {
            LOG.warn("settle {} {} alias={} claim={}: claim was no longer open", transactionId, settlement, aid, claimId);
          }
        })
        .recover(err -> {
          LOG.warn("settle {} {} alias={} claim={} failed: {} (the store's lease will release it)",
              transactionId, settlement, aid, claimId, err.toString());
          return Future.succeededFuture(false);
        });
  }
}
