package org.tempalias.contract;

import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

/**
 * Why the store refused a request: the failure code of the {@link ReplyException} it answers
 * with. The codes are HTTP-like so that logs read naturally; callers map them to their own
 * protocol (HTTP status, SMTP reply).
 */
public enum StoreError {
  INVALID(400),
  FORBIDDEN(403),
  NOT_FOUND(404),
  /** The target refused aliases (it blocked them from a confirmation mail). */
  TARGET_REFUSED(409),
  /** The target has not confirmed yet (an API token needs a confirmed target). */
  UNCONFIRMED(412),
  RATE_LIMITED(429),
  UNAVAILABLE(503);

  private final int code;

  StoreError(int code) {
    this.code = code;
  }

  public int code() {
    return code;
  }

  public ReplyException exception(String message) {
    return new ReplyException(ReplyFailure.RECIPIENT_FAILURE, code, message);
  }

  /**
   * The store error behind a failed request. Anything that is not a recipient failure with one of
   * our codes (timeout, no consumer, an unexpected exception) counts as UNAVAILABLE: the caller
   * must treat it as a temporary outage.
   */
  public static StoreError of(Throwable failure) {
    if (failure instanceof ReplyException re && re.failureType() == ReplyFailure.RECIPIENT_FAILURE) {
      for (StoreError e : values()) {
        if (e.code == re.failureCode()) {
          return e;
        }
      }
    }
    return UNAVAILABLE;
  }
}
