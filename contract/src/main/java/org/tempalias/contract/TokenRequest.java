package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A request made with an API token: create an alias (with {@code description}), list its
 * aliases, or revoke it.
 *
 * @param description the note for a new alias, or null
 * @param clientIp    the client that asked, for the creation rate limit
 */
public record TokenRequest(String token, String description, String clientIp) {
  private static final String TOKEN = "token";
  private static final String DESCRIPTION = "description";
  private static final String CLIENT_IP = "clientIp";

  public TokenRequest(String token) {
    this(token, null, null);
  }

  public JsonObject toJson() {
    return new JsonObject().put(TOKEN, token).put(DESCRIPTION, description).put(CLIENT_IP, clientIp);
  }

  public static TokenRequest fromJson(JsonObject json) {
    return new TokenRequest(json.getString(TOKEN), json.getString(DESCRIPTION), json.getString(CLIENT_IP));
  }
}
