package org.tempalias.store;

import org.tempalias.contract.TokenIssue;

/** The store's own check of a token request: one proof of the target, and limits within the caps. */
final class TokenCheck {
  private TokenCheck() {}

  static String problem(TokenIssue req, StoreConfig config) {
    if ((req.aid() == null) == (req.confirmToken() == null)) {
      return "give an alias with its update key, or a confirmation link";
    }
    if (req.lifetimeMillis() < 0 || req.maxUsage() < 0) {
      return "limits must not be negative";
    }
    if (req.lifetimeMillis() == 0 && req.maxUsage() == 0) {
      return "at least one limit (lifetime or uses) is required";
    }
    if (req.lifetimeMillis() > config.maxLifetimeMillis()) {
      return "lifetime over " + config.maxLifetimeDays() + " days";
    }
    if (req.maxUsage() > config.maxUsage()) {
      return "more than " + config.maxUsage() + " uses";
    }
    return null;
  }
}
