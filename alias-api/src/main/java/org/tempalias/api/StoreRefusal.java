package org.tempalias.api;

import io.vertx.core.eventbus.ReplyException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.StoreError;

/** The HTTP answer for a store refusal: one place for every route. Outages are 503 so that clients retry. */
final class StoreRefusal {
  private static final Logger LOG = LoggerFactory.getLogger(StoreRefusal.class);
  /** The store's rate limit counts per minute, so a minute is the longest anyone waits. */
  static final int RETRY_AFTER_SECONDS = 60;

  private StoreRefusal() {}

  /** For routes that prove ownership with an alias's update key (FORBIDDEN = wrong key, 403). */
  static ApiError of(Throwable failure, String what) {
    return of(failure, what, ApiError.forbidden("wrong update key"));
  }

  /** For routes that authenticate with an API token (FORBIDDEN = unknown or revoked token, 401). */
  static ApiError ofToken(Throwable failure, String what) {
    return of(failure, what, ApiError.invalidToken("the API token is wrong or was revoked"));
  }

  private static ApiError of(Throwable failure, String what, ApiError forbidden) {
    if (!(failure instanceof ReplyException)) {
      // Not an event-bus failure: the store answered something we cannot read.
      LOG.error("unreadable store answer for {}", what, failure);
      return ApiError.internal();
    }
    StoreError error = StoreError.of(failure);
    switch (error) {
      case INVALID:
        return ApiError.invalidData("the alias store refused the request (" + failure.getMessage() + ")");
      case FORBIDDEN:
        return forbidden;
      case TARGET_REFUSED:
        return ApiError.targetRefused();
      case UNCONFIRMED:
        return ApiError.targetUnconfirmed();
      case NOT_FOUND:
        return ApiError.notFound("no such alias (it may have expired, been used up or deleted)");
      case RATE_LIMITED:
        return ApiError.rateLimited(RETRY_AFTER_SECONDS);
      default:
        LOG.warn("store unavailable for {}: {}", what, failure.getMessage());
        return ApiError.unavailable("the alias store is unavailable; try again shortly");
    }
  }
}
