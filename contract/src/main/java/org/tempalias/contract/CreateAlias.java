package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Request to create an alias. The caller has validated {@code target} (see the API); the store
 * trusts nothing but re-checks the limits.
 *
 * @param target         the address mail is forwarded to
 * @param lifetimeMillis how long the alias lives, 0 for no time limit
 * @param maxUsage       how many messages it forwards, 0 for no limit
 * @param clientIp       the client that asked, for the creation rate limit; null skips the limit
 * @param lock           which senders it takes mail from
 * @param description    the owner's note about it (a password manager's "generated for …"), or null
 */
public record CreateAlias(String target, long lifetimeMillis, int maxUsage, String clientIp, SenderLock lock,
    String description) {
  private static final String TARGET = "target";
  private static final String LIFETIME = "lifetimeMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String CLIENT_IP = "clientIp";
  private static final String LOCK = "lock";
  private static final String DESCRIPTION = "description";

  public CreateAlias {
    lock = lock == null ? SenderLock.NONE : lock;
  }

  /** An alias that takes mail from anyone, without a description. */
  public CreateAlias(String target, long lifetimeMillis, int maxUsage, String clientIp) {
    this(target, lifetimeMillis, maxUsage, clientIp, SenderLock.NONE, null);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put(TARGET, target)
        .put(LIFETIME, lifetimeMillis)
        .put(MAX_USAGE, maxUsage)
        .put(CLIENT_IP, clientIp)
        .put(LOCK, lock.toJson())
        .put(DESCRIPTION, description);
  }

  public static CreateAlias fromJson(JsonObject json) {
    return new CreateAlias(
        json.getString(TARGET),
        json.getLong(LIFETIME, 0L),
        json.getInteger(MAX_USAGE, 0),
        json.getString(CLIENT_IP),
        SenderLock.fromJson(json.getJsonObject(LOCK)),
        json.getString(DESCRIPTION));
  }
}
