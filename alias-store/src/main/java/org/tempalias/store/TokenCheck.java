package org.tempalias.store;

import org.tempalias.contract.TokenIssue;

/** The store's own check of a token request: one proof of the target, and limits within the caps. */
final class TokenCheck {
  private TokenCheck() {}

  static String problem(TokenIssue req, StoreConfig config) {
    if ((req.aid() == null) == (req.confirmToken() == null)) {
      return "give an alias with its update key, or a confirmation link";
    }
    return CreateCheck.limitsProblem(req.lifetimeMillis(), req.maxUsage(), config);
  }
}
