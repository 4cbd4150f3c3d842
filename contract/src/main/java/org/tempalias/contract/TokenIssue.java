package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * Issue an API token for a confirmed target, proven either by an alias and its update key or by
 * the target's confirmation link. Aliases made with the token get these limits.
 *
 * @param aid            an alias of the target (with {@code updateKey}), or null
 * @param updateKey      that alias's update key
 * @param confirmToken   the token of a confirmation link the target confirmed, or null
 * @param lifetimeMillis lifetime of each alias made with the token, 0 for no time limit
 * @param maxUsage       uses of each alias made with the token, 0 for no use limit
 * @param clientIp       the client that asked, for the creation rate limit
 */
public record TokenIssue(String aid, String updateKey, String confirmToken, long lifetimeMillis, int maxUsage,
    String clientIp) {
  private static final String AID = "aid";
  private static final String UPDATE_KEY = "updateKey";
  private static final String CONFIRM_TOKEN = "confirmToken";
  private static final String LIFETIME = "lifetimeMillis";
  private static final String MAX_USAGE = "maxUsage";
  private static final String CLIENT_IP = "clientIp";

  public JsonObject toJson() {
    return new JsonObject().put(AID, aid).put(UPDATE_KEY, updateKey).put(CONFIRM_TOKEN, confirmToken)
        .put(LIFETIME, lifetimeMillis).put(MAX_USAGE, maxUsage).put(CLIENT_IP, clientIp);
  }

  public static TokenIssue fromJson(JsonObject json) {
    return new TokenIssue(json.getString(AID), json.getString(UPDATE_KEY), json.getString(CONFIRM_TOKEN),
        json.getLong(LIFETIME, 0L), json.getInteger(MAX_USAGE, 0), json.getString(CLIENT_IP));
  }
}
