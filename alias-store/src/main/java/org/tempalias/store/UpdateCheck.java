package org.tempalias.store;

import org.tempalias.contract.AliasUpdate;

/** The store's own check of a renewal: the same caps as a new alias (see {@link CreateCheck}). */
final class UpdateCheck {
  private UpdateCheck() {}

  /** Why the request is refused, or null when it is acceptable. */
  static String problem(AliasUpdate req, StoreConfig config) {
    if (req.lifetimeMillis() == null && req.usesLeft() == null) {
      return "nothing to change";
    }
    if (req.lifetimeMillis() != null) {
      if (req.lifetimeMillis() < 0) {
        return "lifetime must not be negative";
      }
      if (req.lifetimeMillis() > config.maxLifetimeMillis()) {
        return "lifetime over " + config.maxLifetimeDays() + " days";
      }
    }
    if (req.usesLeft() != null) {
      if (req.usesLeft() < 0) {
        return "uses must not be negative";
      }
      if (req.usesLeft() > config.maxUsage()) {
        return "more than " + config.maxUsage() + " uses";
      }
    }
    if (Long.valueOf(0).equals(req.lifetimeMillis()) && Integer.valueOf(0).equals(req.usesLeft())) {
      return "at least one limit (lifetime or uses) is required";
    }
    return null;
  }
}
