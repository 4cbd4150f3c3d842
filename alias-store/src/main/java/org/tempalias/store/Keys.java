package org.tempalias.store;

import java.util.List;

/**
 * Redis key names. Every key of one alias carries the id as its hash tag ({@code {id}}), so all
 * of them live in the same Redis Cluster slot and one script may touch them together.
 */
final class Keys {
  static final String UPDATE_KEY_FIELD = "ukey";

  private Keys() {}

  /** The alias hash: target, created, expires, max, left, forwarded, ukey. */
  static String alias(String aid) {
    return "alias:{" + aid + "}";
  }

  /** The live claims: a sorted set of claim id scored by lease deadline (epoch ms). */
  static String claims(String aid) {
    return "alias:{" + aid + "}:claims";
  }

  /** Claims whose final dot may have gone out, scored by the deadline for their settlement. */
  static String commits(String aid) {
    return "alias:{" + aid + "}:commits";
  }

  /** Claim ids released before their claim was answered, scored by when to forget them. */
  static String cancelled(String aid) {
    return "alias:{" + aid + "}:cancelled";
  }

  /** A target (by its keyed hash): confirmed until, blocked, and its confirmation-mail counters. */
  static String target(String targetHash) {
    return "target:{" + targetHash + "}";
  }

  /** The ids of the aliases waiting for this target to confirm. */
  static String waiting(String targetHash) {
    return "target:{" + targetHash + "}:pending";
  }

  /** A confirmation link (by the hash of its token). */
  static String token(String tokenHash) {
    return "confirm:{" + tokenHash + "}";
  }

  /** An API token (by the SHA-256 of the token): its target and the limits of its aliases. */
  static String apiToken(String tokenHash) {
    return "apitoken:{" + tokenHash + "}";
  }

  /** The aliases made with an API token: alias id scored by creation time. */
  static String apiTokenAliases(String tokenHash) {
    return "apitoken:{" + tokenHash + "}:aliases";
  }

  /** The keys every per-alias script receives, in the order the scripts expect them (claims-lib.lua). */
  static List<String> of(String aid) {
    return List.of(alias(aid), claims(aid), commits(aid), cancelled(aid));
  }
}
