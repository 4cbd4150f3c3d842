package org.tempalias.store;

import org.tempalias.contract.CreateAlias;

/**
 * The store's own check of a creation request. The API validated it already; the store checks
 * again because it trusts no caller and because {@code target} ends up in an SMTP command line.
 */
final class CreateCheck {
  /** RFC 5321 §4.5.3.1.3: a path is at most 256 octets including the angle brackets. */
  static final int MAX_TARGET_LENGTH = 254;
  /** Longest textual IPv6 address with a zone is well below this. */
  static final int MAX_CLIENT_IP_LENGTH = 64;

  private CreateCheck() {}

  /** Why the request is refused, or null when it is acceptable. */
  static String problem(CreateAlias req, StoreConfig config) {
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
    String target = req.target();
    if (target == null || target.isBlank()) {
      return "target is blank";
    }
    if (target.length() > MAX_TARGET_LENGTH) {
      return "target longer than " + MAX_TARGET_LENGTH + " characters";
    }
    for (int i = 0; i < target.length(); i++) {
      char c = target.charAt(i);
      // Control characters would let a target inject lines into the relay's SMTP dialogue.
      if (Character.isISOControl(c) || c == '<' || c == '>') {
        return "target contains a control character or an angle bracket";
      }
    }
    int at = target.lastIndexOf('@');
    if (at <= 0 || at == target.length() - 1) {
      return "target is not an address";
    }
    if (req.clientIp() != null && (req.clientIp().isBlank() || req.clientIp().length() > MAX_CLIENT_IP_LENGTH)) {
      return "clientIp is malformed";
    }
    return null;
  }
}
