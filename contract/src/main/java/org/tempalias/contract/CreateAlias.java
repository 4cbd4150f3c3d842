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
 */
public record CreateAlias(String target, long lifetimeMillis, int maxUsage, String clientIp) {
  private static final String TARGET = "target";
  private static final String LIFETIME = "lifetimeMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String CLIENT_IP = "clientIp";

  public JsonObject toJson() {
    return new JsonObject()
        .put(TARGET, target)
        .put(LIFETIME, lifetimeMillis)
        .put(MAX_USAGE, maxUsage)
        .put(CLIENT_IP, clientIp);
  }

  public static CreateAlias fromJson(JsonObject json) {
    return new CreateAlias(
        json.getString(TARGET),
        json.getLong(LIFETIME, 0L),
        json.getInteger(MAX_USAGE, 0),
        json.getString(CLIENT_IP));
  }
}
