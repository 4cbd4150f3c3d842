package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * What the owner of an alias may see about it.
 *
 * @param expiresAtMillis epoch millis of the time limit, 0 when there is none
 * @param maxUsage        0 when there is no use limit
 * @param usesLeft        uses not yet settled nor held, -1 when there is no use limit
 * @param usesInFlight    uses held by transactions still open
 * @param forwarded       messages delivered so far
 * @param confirmed       whether the target has confirmed (until then the alias forwards nothing)
 * @param lock            which senders it takes mail from
 * @param description     the owner's note about it, or null
 */
public record AliasStatus(
    String aid,
    String target,
    long createdAtMillis,
    long expiresAtMillis,
    int maxUsage,
    int usesLeft,
    int usesInFlight,
    long forwarded,
    boolean confirmed,
    SenderLock lock,
    String description) {

  public AliasStatus {
    lock = lock == null ? SenderLock.NONE : lock;
  }

  public AliasStatus(String aid, String target, long createdAtMillis, long expiresAtMillis, int maxUsage,
      int usesLeft, int usesInFlight, long forwarded) {
    this(aid, target, createdAtMillis, expiresAtMillis, maxUsage, usesLeft, usesInFlight, forwarded, true,
        SenderLock.NONE, null);
  }

  private static final String AID = "aid";
  private static final String TARGET = "target";
  private static final String CREATED = "createdAtMillis";
  private static final String EXPIRES = "expiresAtMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String USES_LEFT = "usesLeft";
  private static final String IN_FLIGHT = "usesInFlight";
  private static final String FORWARDED = "forwarded";
  private static final String CONFIRMED = "confirmed";
  private static final String LOCK = "lock";
  private static final String DESCRIPTION = "description";

  public JsonObject toJson() {
    return new JsonObject()
        .put(AID, aid)
        .put(TARGET, target)
        .put(CREATED, createdAtMillis)
        .put(EXPIRES, expiresAtMillis)
        .put(MAX_USAGE, maxUsage)
        .put(USES_LEFT, usesLeft)
        .put(IN_FLIGHT, usesInFlight)
        .put(FORWARDED, forwarded)
        .put(CONFIRMED, confirmed)
        .put(LOCK, lock.toJson())
        .put(DESCRIPTION, description);
  }

  public static AliasStatus fromJson(JsonObject json) {
    return new AliasStatus(
        json.getString(AID),
        json.getString(TARGET),
        json.getLong(CREATED, 0L),
        json.getLong(EXPIRES, 0L),
        json.getInteger(MAX_USAGE, 0),
        json.getInteger(USES_LEFT, -1),
        json.getInteger(IN_FLIGHT, 0),
        json.getLong(FORWARDED, 0L),
        json.getBoolean(CONFIRMED, true),
        SenderLock.fromJson(json.getJsonObject(LOCK)),
        json.getString(DESCRIPTION));
  }
}
