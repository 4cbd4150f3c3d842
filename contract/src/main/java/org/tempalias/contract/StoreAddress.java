package org.tempalias.contract;

/**
 * Event-bus addresses consumed by the alias-store verticle. Every request is a JSON object
 * (the record named beside each address); a refusal is a {@link io.vertx.core.eventbus.ReplyException}
 * whose failure code is a {@link StoreError#code()}.
 */
public final class StoreAddress {
  /** {@link CreateAlias} -> {@link CreatedAlias}; fails INVALID, RATE_LIMITED, UNAVAILABLE. */
  public static final String CREATE = "tempalias.store.create";
  /** {@link AliasKey} -> {@link AliasStatus}; fails NOT_FOUND, FORBIDDEN, UNAVAILABLE. */
  public static final String GET = "tempalias.store.get";
  /** {@link AliasKey} -> empty JSON object; fails NOT_FOUND, FORBIDDEN, UNAVAILABLE. */
  public static final String DELETE = "tempalias.store.delete";
  /** {@link ClaimRequest} -> {@link ClaimReply}; fails UNAVAILABLE. */
  public static final String CLAIM = "tempalias.store.claim";
  /** {@link SettleRequest} -> {@link SettleReply}; fails UNAVAILABLE. */
  public static final String SETTLE = "tempalias.store.settle";
  /** empty JSON object -> empty JSON object when Redis answers PING; fails UNAVAILABLE. */
  public static final String PING = "tempalias.store.ping";

  private StoreAddress() {}
}
