package org.tempalias.api;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.tempalias.contract.AliasList;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.TokenRequest;

/**
 * The two request shapes password managers (Bitwarden and the others built on its integrations)
 * send to a self-hosted forwarder, answered the way those clients read them:
 *
 * <ul>
 *   <li>addy.io: {@code POST /api/v1/aliases} with {@code {"domain", "description"}}, read
 *       {@code data.email}; {@code GET /api/v1/aliases} lists the token's aliases;</li>
 *   <li>SimpleLogin: {@code POST /api/alias/random/new[?hostname=]} with {@code {"note"}}, read
 *       {@code alias};</li>
 *   <li>{@code DELETE /api/v1/token} revokes the token that authenticates it.</li>
 * </ul>
 *
 * Every alias forwards to the token's target with the token's limits. Errors keep the service's
 * {@code {error, description}} and add {@code message} (what addy.io clients show; Bitwarden
 * shows "error: message").
 */
final class ForwarderApi {
  /** Set on the routing context of these routes: errors also carry {@code message}. */
  static final String VENDOR_ERRORS = "tempalias.vendorErrors";
  /** addy.io's (Laravel's) timestamp shape. */
  private static final DateTimeFormatter LARAVEL =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter SIMPLELOGIN =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ssxxx").withZone(ZoneOffset.UTC);
  private static final int MAX_DESCRIPTION = 200;

  private final ApiConfig settings;
  private final BiFunction<String, JsonObject, Future<JsonObject>> ask;
  private final Function<RoutingContext, String> clientKey;
  private final Consumer<CreatedAlias> askTargetToConfirm;

  /**
   * @param ask                 a bounded request to the store
   * @param clientKey           the client as the creation rate limit counts it
   * @param askTargetToConfirm  sends the confirmation mail a creation may call for
   */
  ForwarderApi(ApiConfig settings, BiFunction<String, JsonObject, Future<JsonObject>> ask,
      Function<RoutingContext, String> clientKey, Consumer<CreatedAlias> askTargetToConfirm) {
    this.settings = settings;
    this.ask = ask;
    this.clientKey = clientKey;
    this.askTargetToConfirm = askTargetToConfirm;
  }

  void mount(Router router) {
    router.route("/api/*").handler(ctx -> {
      ctx.put(VENDOR_ERRORS, true);
      ctx.next();
    });
    BodyHandler body = BodyHandler.create(false).setBodyLimit(ApiVerticle.BODY_LIMIT);

    router.post("/api/v1/aliases").handler(body).handler(this::addyCreate);
    router.get("/api/v1/aliases").handler(this::addyList);
    router.options("/api/v1/aliases").handler(ApiVerticle.allow("GET, POST, OPTIONS"));
    router.route("/api/v1/aliases").handler(ApiVerticle.refuse("GET, POST, OPTIONS"));

    router.post("/api/alias/random/new").handler(body).handler(this::simpleLoginCreate);
    router.options("/api/alias/random/new").handler(ApiVerticle.allow("POST, OPTIONS"));
    router.route("/api/alias/random/new").handler(ApiVerticle.refuse("POST, OPTIONS"));

    router.delete("/api/v1/token").handler(this::revoke);
    router.options("/api/v1/token").handler(ApiVerticle.allow("DELETE, OPTIONS"));
    router.route("/api/v1/token").handler(ApiVerticle.refuse("DELETE, OPTIONS"));
  }

  // ---- addy.io --------------------------------------------------------------------------------

  private void addyCreate(RoutingContext ctx) {
    String token = ApiTokens.of(ctx.request());
    JsonObject json = jsonBody(ctx, true);
    String domain = addyDomain(json.getValue("domain"));
    String description = text(json.getValue("description"), "description", true);
    create(ctx, token, description).onSuccess(created -> {
      ctx.put(ApiVerticle.LOG_DETAIL, "created " + created.aid() + " with an API token (addy.io)");
      ApiVerticle.sendJson(ctx, 201, new JsonObject().put("data", addyAlias(created.aid(), domain, description,
          created.createdAtMillis(), created.expiresAtMillis(), created.maxUsage(), 0, created.confirmed())));
    });
  }

  private void addyList(RoutingContext ctx) {
    String token = ApiTokens.of(ctx.request());
    ask.apply(StoreAddress.TOKEN_LIST, new TokenRequest(token).toJson())
        .map(AliasList::fromJson)
        .onSuccess(list -> {
          JsonArray data = new JsonArray();
          for (AliasStatus s : list.aliases()) {
            data.add(addyAlias(s.aid(), settings.domain(), s.description(), s.createdAtMillis(), s.expiresAtMillis(),
                s.maxUsage(), s.forwarded(), s.confirmed()));
          }
          ApiVerticle.sendJson(ctx, 200, new JsonObject().put("data", data));
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.ofToken(failure, "token list")));
  }

  /** One of our domains (lower case), the first one when none is named; 422 for any other. */
  private String addyDomain(Object value) {
    if (value == null) {
      return settings.domain();
    }
    String asked = value instanceof String s ? s.trim().toLowerCase(Locale.ROOT) : null;
    if (asked == null || !settings.domains().contains(asked)) {
      throw ApiError.unprocessable("domain", "The selected domain is invalid: aliases are made at "
          + String.join(", ", settings.domains()));
    }
    return asked;
  }

  private static JsonObject addyAlias(String aid, String domain, String description, long created, long expires,
      int maxUsage, long forwarded, boolean active) {
    return new JsonObject()
        .put("id", aid)
        .put("local_part", aid)
        .put("domain", domain)
        .put("email", aid + "@" + domain)
        .put("description", description)
        .put("active", active)
        .put("emails_forwarded", forwarded)
        .put("created_at", LARAVEL.format(Instant.ofEpochMilli(created)))
        .put("updated_at", LARAVEL.format(Instant.ofEpochMilli(created)))
        .put("expires_at", expires == 0 ? null : LARAVEL.format(Instant.ofEpochMilli(expires)))
        .put("max_usage", maxUsage == 0 ? null : maxUsage);
  }

  // ---- SimpleLogin ----------------------------------------------------------------------------

  private void simpleLoginCreate(RoutingContext ctx) {
    String token = ApiTokens.of(ctx.request());
    JsonObject json = jsonBody(ctx, false);
    String note = text(json.getValue("note"), "note", false);
    String hostname = hostname(ctx.request().getParam("hostname"));
    String description = note != null ? note : hostname != null ? "for " + hostname : null;
    create(ctx, token, description).onSuccess(created -> {
      String address = created.aid() + "@" + settings.domain();
      ctx.put(ApiVerticle.LOG_DETAIL, "created " + created.aid() + " with an API token (SimpleLogin)");
      ApiVerticle.sendJson(ctx, 201, new JsonObject()
          .put("alias", address)
          .put("email", address)
          .put("note", description)
          .put("enabled", created.confirmed())
          .put("creation_timestamp", created.createdAtMillis() / 1000)
          .put("creation_date", SIMPLELOGIN.format(Instant.ofEpochMilli(created.createdAtMillis())))
          .put("expires_at", created.expiresAtMillis() == 0 ? null : AliasJson.iso(created.expiresAtMillis())));
    });
  }

  /** The site a SimpleLogin client names, clipped to fit a description; 400 for control characters. */
  private static String hostname(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    if (value.chars().anyMatch(Character::isISOControl)) {
      throw ApiError.invalidData("hostname must not contain control characters");
    }
    String site = value.trim();
    return site.substring(0, Math.min(site.length(), MAX_DESCRIPTION - "for ".length()));
  }

  // ---- both -----------------------------------------------------------------------------------

  private void revoke(RoutingContext ctx) {
    String token = ApiTokens.of(ctx.request());
    ask.apply(StoreAddress.TOKEN_REVOKE, new TokenRequest(token).toJson())
        .onSuccess(ignored -> {
          ctx.put(ApiVerticle.LOG_DETAIL, "token revoked");
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.ofToken(failure, "token revoke")));
  }

  /** The alias, made by the store from the token; failures are answered here. */
  private Future<CreatedAlias> create(RoutingContext ctx, String token, String description) {
    return ask.apply(StoreAddress.TOKEN_CREATE, new TokenRequest(token, description, clientKey.apply(ctx)).toJson())
        .map(CreatedAlias::fromJson)
        .onSuccess(created -> {
          if (created.confirmToken() != null) {
            askTargetToConfirm.accept(created); // the target's confirmation lapsed: it is asked again
          }
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.ofToken(failure, "token create")));
  }

  /**
   * The JSON object body; an empty body is an empty object when {@code required} is false (the
   * SimpleLogin call may carry nothing). Content-Type must be JSON whenever there is a body.
   */
  private static JsonObject jsonBody(RoutingContext ctx, boolean required) {
    Buffer body = ctx.body().buffer();
    boolean empty = body == null || body.length() == 0;
    if (empty && !required) {
      return new JsonObject();
    }
    if (!empty && !CreateRequest.isJsonContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw ApiError.invalidRequestType("send the body as Content-Type: application/json");
    }
    return JsonBody.object(body, "a JSON object");
  }

  /** A short note without control characters, or null; 422 (addy.io) or 400 (SimpleLogin) otherwise. */
  private static String text(Object value, String field, boolean laravel) {
    if (value == null) {
      return null;
    }
    String problem = !(value instanceof String s) ? field + " must be a string"
        : s.length() > MAX_DESCRIPTION ? field + " must be at most " + MAX_DESCRIPTION + " characters"
        : s.chars().anyMatch(Character::isISOControl) ? field + " must not contain control characters"
        : null;
    if (problem != null) {
      throw laravel ? ApiError.unprocessable(field, problem) : ApiError.invalidData(problem);
    }
    String trimmed = ((String) value).trim();
    return trimmed.isEmpty() ? null : trimmed;
  }
}
