package org.tempalias.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.SenderLock;

/**
 * The JSON the API answers with, in the field names of the 2010 API (snake case, plus the
 * original's {@code currentDate} and {@code updatekey}). A limit that is absent is {@code null}.
 */
final class AliasJson {
  /** The shape of JavaScript's {@code Date.toISOString()}, which the original clients parse. */
  private static final DateTimeFormatter ISO =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private AliasJson() {}

  static String iso(long epochMillis) {
    return ISO.format(Instant.ofEpochMilli(epochMillis));
  }

  private static Object isoOrNull(long epochMillis) {
    return epochMillis == 0 ? null : iso(epochMillis);
  }

  private static Object positiveOrNull(long value) {
    return value <= 0 ? null : value;
  }

  /** The answer to {@code POST /aliases}. */
  static JsonObject created(CreatedAlias alias, int days, String domain, long nowMillis) {
    return new JsonObject()
        .put("aid", alias.aid())
        .put("address", alias.aid() + "@" + domain)
        .put("valid_from", iso(alias.createdAtMillis()))
        .put("valid_until", isoOrNull(alias.expiresAtMillis()))
        .put("max_usage", positiveOrNull(alias.maxUsage()))
        .put("target", alias.target())
        .put("updatekey", alias.updateKey())
        .put("currentDate", iso(nowMillis))
        .put("days", positiveOrNull(days))
        .put("confirmed", alias.confirmed());
  }

  /** The answer to {@code GET /aliases/{aid}}. */
  static JsonObject status(AliasStatus status, String domain, long nowMillis) {
    return new JsonObject()
        .put("aid", status.aid())
        .put("address", status.aid() + "@" + domain)
        .put("target", status.target())
        .put("valid_from", isoOrNull(status.createdAtMillis()))
        .put("valid_until", isoOrNull(status.expiresAtMillis()))
        .put("max_usage", positiveOrNull(status.maxUsage()))
        .put("uses_left", status.maxUsage() <= 0 || status.usesLeft() < 0 ? null : status.usesLeft())
        .put("uses_in_flight", status.usesInFlight())
        .put("forwarded", status.forwarded())
        .put("confirmed", status.confirmed())
        .put("description", status.description())
        .put("currentDate", iso(nowMillis))
        .mergeIn(putLock(new JsonObject(), status.lock()));
  }

  /**
   * {@code senders}: the allowed sender domains, null when any sender is; {@code lock}: null,
   * {@code "senders"} or {@code "first-sender"} (then {@code senders} is empty until the first
   * delivery sets it).
   */
  static JsonObject putLock(JsonObject json, SenderLock lock) {
    return json
        .put("senders", lock.locked() ? new JsonArray(lock.domains()) : null)
        .put("lock", lock.firstSender() ? "first-sender" : lock.locked() ? "senders" : null);
  }
}
