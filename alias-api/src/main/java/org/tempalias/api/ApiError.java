package org.tempalias.api;

import io.vertx.core.json.JsonObject;

/**
 * An HTTP error answer: a status, one of the original tempalias error codes and a human sentence.
 * Thrown or failed anywhere in a route; the router's failure handler writes it as
 * {@code {"error": code, "description": text}}.
 */
public final class ApiError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public static final String METHOD_NOT_ALLOWED = "method-not-allowed";
  public static final String INVALID_REQUEST_TYPE = "invalid-request-type";
  public static final String TOO_MUCH_DATA = "too-much-data";
  public static final String INVALID_DATA = "invalid-data";
  public static final String RATE_LIMITED = "rate-limited";
  public static final String NOT_FOUND = "not-found";
  public static final String FORBIDDEN = "forbidden";
  public static final String SERVER_ERROR = "server-error";

  private final int status;
  private final String code;
  private final String headerName;
  private final String headerValue;
  private final JsonObject details;

  private ApiError(int status, String code, String description, String headerName, String headerValue) {
    this(status, code, description, headerName, headerValue, null);
  }

  private ApiError(int status, String code, String description, String headerName, String headerValue,
      JsonObject details) {
    super(description, null, false, false);
    this.status = status;
    this.code = code;
    this.headerName = headerName;
    this.headerValue = headerValue;
    this.details = details;
  }

  public static ApiError invalidData(String description) {
    return new ApiError(400, INVALID_DATA, description, null, null);
  }

  public static ApiError invalidRequestType(String description) {
    return new ApiError(400, INVALID_REQUEST_TYPE, description, null, null);
  }

  /** 413 rather than the original's 400: RFC 9110 §15.5.14 names exactly this case. */
  public static ApiError tooMuchData(int limit) {
    return new ApiError(413, TOO_MUCH_DATA, "the request body is larger than " + limit + " bytes", null, null);
  }

  public static ApiError methodNotAllowed(String allow) {
    return new ApiError(405, METHOD_NOT_ALLOWED, "this resource accepts only " + allow, "Allow", allow);
  }

  public static ApiError rateLimited(int retryAfterSeconds) {
    return new ApiError(429, RATE_LIMITED, "too many aliases created from your address; try again in a minute",
        "Retry-After", Integer.toString(retryAfterSeconds));
  }

  public static ApiError notFound(String description) {
    return new ApiError(404, NOT_FOUND, description, null, null);
  }

  /** RFC 6750 §3: the challenge tells the client which scheme we expect. */
  public static ApiError forbidden(String description) {
    return new ApiError(403, FORBIDDEN, description, "WWW-Authenticate", "Bearer realm=\"tempalias\"");
  }

  /** RFC 6750 §3.1: a missing, malformed, unknown or revoked API token. */
  public static ApiError invalidToken(String description) {
    return new ApiError(401, "invalid-token", description, "WWW-Authenticate",
        "Bearer realm=\"tempalias\", error=\"invalid_token\"");
  }

  /**
   * 422 with Laravel's {@code errors} object ({@code {"field": ["sentence"]}}), the shape addy.io
   * clients read for a field they got wrong.
   */
  public static ApiError unprocessable(String field, String description) {
    return new ApiError(422, INVALID_DATA, description, null, null,
        new JsonObject().put("errors", new JsonObject().put(field, new io.vertx.core.json.JsonArray().add(description))));
  }

  /** An API token needs a confirmed target. */
  public static ApiError targetUnconfirmed() {
    return new ApiError(409, "target-unconfirmed",
        "the target has not confirmed this service yet: confirm it from the link mailed to it, then try again",
        null, null);
  }

  public static ApiError requestTimeout(int seconds) {
    return new ApiError(408, "request-timeout", "the request did not arrive within " + seconds + " s", null, null);
  }

  public static ApiError uriTooLong() {
    return new ApiError(414, "uri-too-long", "the request line is too long", null, null);
  }

  public static ApiError headersTooLarge() {
    return new ApiError(431, "headers-too-large", "the request headers are too large", null, null);
  }

  /** The target said it wants no aliases (it blocked them from a confirmation mail). */
  public static ApiError targetRefused() {
    return new ApiError(403, "target-refused", "the target address does not accept aliases", null, null);
  }

  public static ApiError originNotAllowed() {
    return new ApiError(403, FORBIDDEN, "this origin may not use the API", null, null);
  }

  public static ApiError unavailable(String description) {
    return new ApiError(503, SERVER_ERROR, description, "Retry-After", "30");
  }

  public static ApiError internal() {
    return new ApiError(500, SERVER_ERROR, "something went wrong on our side", null, null);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public String description() {
    return getMessage();
  }

  /** An extra response header this error needs (Allow, Retry-After, WWW-Authenticate), or null. */
  public String headerName() {
    return headerName;
  }

  public String headerValue() {
    return headerValue;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("error", code).put("description", getMessage());
    return details == null ? json : json.mergeIn(details);
  }
}
