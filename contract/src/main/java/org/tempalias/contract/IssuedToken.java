package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A new API token. {@code token} leaves the store only here: Redis keeps its SHA-256.
 *
 * @param target the address every alias made with it forwards to
 */
public record IssuedToken(String token, String target, long lifetimeMillis, int maxUsage, long createdAtMillis) {
  private static final String TOKEN = "token";
  private static final String TARGET = "target";
  private static final String LIFETIME = "lifetimeMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String CREATED = "createdAtMillis";

  public JsonObject toJson() {
    return new JsonObject().put(TOKEN, token).put(TARGET, target).put(LIFETIME, lifetimeMillis)
        .put(MAX_USAGE, maxUsage).put(CREATED, createdAtMillis);
  }

  public static IssuedToken fromJson(JsonObject json) {
    return new IssuedToken(json.getString(TOKEN), json.getString(TARGET), json.getLong(LIFETIME, 0L),
        json.getInteger(MAX_USAGE, 0), json.getLong(CREATED, 0L));
  }
}
