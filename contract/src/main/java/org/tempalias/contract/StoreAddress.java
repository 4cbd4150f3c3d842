package org.tempalias.contract;

/**
 * Event-bus addresses consumed by the alias-store verticle. Every request is a JSON object
 * (the record named beside each address); a refusal is a {@link io.vertx.core.eventbus.ReplyException}
 * whose failure code is a {@link StoreError#code()}.
 */
public final class StoreAddress {
  /** {@link CreateAlias} -> {@link CreatedAlias}; fails INVALID, TARGET_REFUSED, RATE_LIMITED, UNAVAILABLE. */
  public static final String CREATE = "tempalias.store.create";
  /** {@link AliasKey} -> {@link AliasStatus}; fails NOT_FOUND, FORBIDDEN, UNAVAILABLE. */
  public static final String GET = "tempalias.store.get";
  /** {@link AliasKey} -> empty JSON object; fails NOT_FOUND, FORBIDDEN, UNAVAILABLE. */
  public static final String DELETE = "tempalias.store.delete";
  /**
   * {@link AliasUpdate} -> {@link AliasStatus} after it: new limits counted from now, within the
   * caps; fails NOT_FOUND, FORBIDDEN, INVALID (over a cap, or no limit would remain), UNAVAILABLE.
   */
  public static final String UPDATE = "tempalias.store.update";
  /** {@link ClaimRequest} -> {@link ClaimReply}; fails UNAVAILABLE. */
  public static final String CLAIM = "tempalias.store.claim";
  /** {@link ClaimRef} -> {@link ClaimState}: the claim's lease starts again; fails UNAVAILABLE. */
  public static final String RENEW = "tempalias.store.renew";
  /**
   * {@link ClaimRef} with {@code holdMillis} -> {@link ClaimState}: the check before the final dot.
   * HELD means the claim is now committed: from here on only a settlement ends it, and without one
   * the use counts as spent after {@code holdMillis}. Fails UNAVAILABLE.
   */
  public static final String COMMIT = "tempalias.store.commit";
  /**
   * {@link SettleRequest} -> {@link SettleReply}; fails UNAVAILABLE. RELEASED of a claim that is
   * not open cancels that claim id: a CLAIM with it that arrives later is refused (the caller gave
   * up on that claim when its answer did not come in time).
   */
  public static final String SETTLE = "tempalias.store.settle";
  /** {@link ConfirmationRequest} (decision null) -> {@link Confirmation}: what a link asks; fails NOT_FOUND, UNAVAILABLE. */
  public static final String CONFIRMATION = "tempalias.store.confirmation";
  /**
   * {@link ConfirmationRequest} with a decision -> {@link Confirmation} after it: CONFIRM confirms
   * the target (its waiting aliases forward from now on), BLOCK refuses it for good (its waiting
   * aliases are deleted, new ones refused); fails NOT_FOUND, UNAVAILABLE.
   */
  public static final String DECIDE = "tempalias.store.decide";
  /**
   * {@link TokenIssue} -> {@link IssuedToken}: an API token for a confirmed target; fails
   * NOT_FOUND, FORBIDDEN (wrong update key), UNCONFIRMED (the target has not confirmed),
   * INVALID (limits), RATE_LIMITED, UNAVAILABLE.
   */
  public static final String TOKEN_ISSUE = "tempalias.store.token.issue";
  /**
   * {@link TokenRequest} -> {@link CreatedAlias}: an alias to the token's target with its limits;
   * fails FORBIDDEN (unknown or revoked token), INVALID (description), TARGET_REFUSED,
   * RATE_LIMITED, UNAVAILABLE.
   */
  public static final String TOKEN_CREATE = "tempalias.store.token.create";
  /** {@link TokenRequest} -> {@link AliasList}: the token's aliases still alive; fails FORBIDDEN, UNAVAILABLE. */
  public static final String TOKEN_LIST = "tempalias.store.token.list";
  /** {@link TokenRequest} -> empty JSON object: the token is gone (its aliases stay); fails FORBIDDEN, UNAVAILABLE. */
  public static final String TOKEN_REVOKE = "tempalias.store.token.revoke";
  /** empty JSON object -> empty JSON object when Redis answers PING; fails UNAVAILABLE. */
  public static final String PING = "tempalias.store.ping";

  private StoreAddress() {}
}
