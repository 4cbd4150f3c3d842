package org.tempalias.api;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The API token of a request, as each password-manager integration sends it: addy.io clients
 * as {@code Authorization: Bearer <token>} (RFC 6750 §2.1), SimpleLogin clients as the bare
 * {@code Authentication: <token>}. Either header works on every token route.
 */
final class ApiTokens {
  private static final Pattern BEARER = Pattern.compile("[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9_-]{20,100}) *");
  private static final Pattern BARE = Pattern.compile(" *([A-Za-z0-9_-]{20,100}) *");

  private ApiTokens() {}

  /** The token; throws 401 {@code invalid-token} when there is none of the right shape. */
  static String of(HttpServerRequest request) {
    String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization != null) {
      Matcher bearer = BEARER.matcher(authorization);
      if (bearer.matches()) {
        return bearer.group(1);
      }
      throw ApiError.invalidToken("the Authorization header must be Bearer <API token>");
    }
    String authentication = request.getHeader("Authentication");
    if (authentication != null) {
      Matcher bare = BARE.matcher(authentication);
      if (bare.matches()) {
        return bare.group(1);
      }
      throw ApiError.invalidToken("the Authentication header must be the API token");
    }
    throw ApiError.invalidToken("send the API token as Authorization: Bearer <token> (or Authentication: <token>)");
  }
}
