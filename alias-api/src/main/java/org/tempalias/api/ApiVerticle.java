package org.tempalias.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.CorsHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.AliasId;
import org.tempalias.contract.AliasKey;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.AliasUpdate;
import org.tempalias.contract.ClientKey;
import org.tempalias.contract.Confirmation;
import org.tempalias.contract.ConfirmationRequest;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.IssuedToken;
import org.tempalias.contract.TokenIssue;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.ServiceMail;
import org.tempalias.contract.StoreAddress;
import org.tempalias.contract.StoreError;

/**
 * The HTTP face of tempalias: the REST API of the 2010 original ({@code /aliases}), the web page
 * (static files from the classpath folder {@code webroot}), {@code /health}, {@code /metrics} and
 * {@code /openapi.yaml}. It keeps no state: every alias operation is one request to the store
 * over the event bus, bounded by {@code http.storeTimeoutMillis}.
 */
public class ApiVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(ApiVerticle.class);

  /** The original's limit; a create request is about 80 bytes. */
  static final int BODY_LIMIT = 1024;
  private static final long DAY_MILLIS = TimeUnit.DAYS.toMillis(1);
  private static final String OPENAPI_RESOURCE = "org/tempalias/api/openapi.yaml";
  private static final Pattern BEARER =
      Pattern.compile("[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9._~+/-]+=*) *");
  private static final String CLIENT_IP = "tempalias.clientIp";
  static final String LOG_DETAIL = "tempalias.logDetail";
  private static final String JSON = "application/json";

  private ApiConfig settings;
  private HttpServer server;
  private HealthCheck health;
  private HttpEdge edge;
  private Buffer openApi;
  private volatile int port = -1;

  /** The port actually bound (useful with {@code http.port} 0), or -1 before start completed. */
  public int port() {
    return port;
  }

  @Override
  public Future<?> start() {
    try {
      settings = ApiConfig.from(config());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    health = new HealthCheck(vertx.eventBus(), settings.storeTimeoutMillis());
    return vertx.fileSystem().readFile(OPENAPI_RESOURCE)
        .compose(document -> {
          openApi = document;
          edge = new HttpEdge(vertx, settings, deploymentID());
          server = vertx.createHttpServer(new HttpServerOptions()
              .setHost(settings.host())
              .setPort(settings.port())
              .setIdleTimeout(settings.idleTimeoutSeconds())
              // Without h2c the connection exists (and is counted and timed) from its first byte
              // on, not only once the server has seen enough to tell HTTP/1.1 from h2c.
              .setHttp2ClearTextEnabled(false)
              .setMaxInitialLineLength(4096)
              .setMaxHeaderSize(8192));
          return server.connectionHandler(edge::onConnection)
              .invalidRequestHandler(edge::onInvalidRequest)
              .requestHandler(router())
              .listen();
        })
        .onSuccess(bound -> {
          port = bound.actualPort();
          LOG.info("HTTP API listening on {}:{} (aliases @{}, caps {} days / {} uses, metrics {})",
              settings.host(), port, settings.domain(), settings.maxDays(), settings.maxUsage(),
              prometheusRegistry() != null ? "on" : "off");
        });
  }

  /** Lets requests in flight finish (bounded), then closes the listener. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(5, TimeUnit.SECONDS);
  }

  private Router router() {
    Router router = Router.router(vertx);
    router.route().handler(this::begin);
    router.route().handler(ctx -> edge.onRequest(ctx));
    router.route().handler(cors());

    router.post("/aliases").handler(this::requireJson);
    router.post("/aliases")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::createAlias);
    router.options("/aliases").handler(allow("POST, OPTIONS"));
    router.route("/aliases").handler(refuse("POST, OPTIONS"));

    router.get("/aliases/:aid").handler(this::getAlias);
    router.delete("/aliases/:aid").handler(this::deleteAlias);
    router.patch("/aliases/:aid").handler(this::requirePatchJson);
    router.patch("/aliases/:aid")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::updateAlias);
    router.options("/aliases/:aid").handler(allow("GET, PATCH, DELETE, OPTIONS"));
    router.route("/aliases/:aid").handler(refuse("GET, PATCH, DELETE, OPTIONS"));

    router.post("/aliases/:aid/token")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::issueToken);
    router.options("/aliases/:aid/token").handler(allow("POST, OPTIONS"));
    router.route("/aliases/:aid/token").handler(refuse("POST, OPTIONS"));

    new ForwarderApi(settings, this::ask, ctx -> ClientKey.of(ctx.get(CLIENT_IP)), this::askTargetToConfirm)
        .mount(router);

    router.get("/confirm/:token").handler(this::showConfirmation);
    router.post("/confirm/:token")
        .handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT))
        .handler(this::decideConfirmation);
    router.route("/confirm/:token").handler(refuse("GET, POST"));

    router.get("/health").handler(this::health);
    router.route("/health").handler(refuse("GET"));
    router.get("/metrics").handler(this::metrics);
    router.route("/metrics").handler(refuse("GET"));
    router.get("/openapi.yaml").handler(this::openApi);
    router.route("/openapi.yaml").handler(refuse("GET"));

    router.route().method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(this::revalidateStaticFiles)
        .handler(StaticHandler.create("webroot")
            .setCachingEnabled(true)
            .setDirectoryListing(false)
            .setIncludeHidden(false));

    router.route().failureHandler(this::onFailure);
    router.errorHandler(400, ctx -> sendError(ctx, ApiError.invalidData("the request could not be read")));
    router.errorHandler(404, ctx -> sendError(ctx, ApiError.notFound("no such resource: " + ctx.request().path())));
    router.errorHandler(405, ctx -> sendError(ctx, ApiError.methodNotAllowed("GET, HEAD")));
    router.errorHandler(500, this::onFailure);
    return router;
  }

  private CorsHandler cors() {
    CorsHandler cors = CorsHandler.create()
        .allowCredentials(false)
        // Password managers' web vaults call from their own origin: addy.io clients send
        // Authorization and X-Requested-With, SimpleLogin clients Authentication.
        .allowedHeaders(Set.of("Content-Type", "Authorization", "Authentication", "X-Requested-With", "Accept"))
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS))
        // Retry-After is not CORS-safelisted; a cross-origin client needs it to back off.
        .exposedHeader("Retry-After")
        .maxAgeSeconds(600);
    if (!settings.corsOrigins().contains("*")) {
      cors.addOrigins(settings.corsOrigins());
    }
    return cors;
  }

  /** Resolves the client address and writes the one access-log line when the response is done. */
  private void begin(RoutingContext ctx) {
    long started = System.nanoTime();
    String client = settings.trustedProxies().clientAddress(
        ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress(),
        ctx.request().headers().getAll("X-Forwarded-For"));
    ctx.put(CLIENT_IP, client);
    ctx.response().putHeader("X-Content-Type-Options", "nosniff");
    ctx.addEndHandler(done -> {
      String detail = ctx.get(LOG_DETAIL);
      LOG.info("{} {} {} {}ms client={}{}{}{}",
          ctx.request().method(), printable(ctx.request().path()), ctx.response().getStatusCode(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), client,
          detail == null ? "" : " ", detail == null ? "" : detail,
          done.failed() ? " (connection closed before the response was complete)" : "");
    });
    ctx.next();
  }

  /**
   * A path for the log: anything but printable ASCII becomes '?', so a request cannot forge log
   * lines; a confirmation link's token is left out (the link decides for its target, and gives
   * an API token once).
   */
  private static String printable(String path) {
    if (path == null) {
      return "-";
    }
    if (path.startsWith("/confirm/")) {
      return "/confirm/…";
    }
    StringBuilder out = new StringBuilder(Math.min(path.length(), 200));
    for (int i = 0; i < path.length() && i < 200; i++) {
      char c = path.charAt(i);
      out.append(c >= 0x21 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  // ---- POST /aliases ----------------------------------------------------------------------------

  private void requireJson(RoutingContext ctx) {
    if (!CreateRequest.isJsonContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw ApiError.invalidRequestType("send the alias as Content-Type: application/json");
    }
    ctx.next();
  }

  private void createAlias(RoutingContext ctx) {
    CreateRequest request = CreateRequest.parse(ctx.body().buffer(), settings.maxDays(), settings.maxUsage());
    if (settings.domains().contains(request.target().domain().toLowerCase(Locale.ROOT))) {
      throw ApiError.invalidData("target is an address of this service (" + request.target().domain()
          + "): the alias would forward to itself");
    }
    // The creation limit counts an IPv6 client by its /64.
    String client = ClientKey.of(ctx.get(CLIENT_IP));
    CreateAlias create = new CreateAlias(
        request.target().toString(), request.days() * DAY_MILLIS, request.maxUsage(), client, request.lock(), null);
    ask(StoreAddress.CREATE, create.toJson())
        .map(CreatedAlias::fromJson)
        .onSuccess(created -> {
          ctx.put(LOG_DETAIL, "created " + created.aid() + " (days " + request.days()
              + ", uses " + request.maxUsage() + ", confirmed " + created.confirmed() + ")");
          if (created.confirmToken() != null) {
            askTargetToConfirm(created);
          }
          JsonObject reply = AliasJson.created(created, request.days(), settings.domain(), System.currentTimeMillis());
          if (request.lock().locked()) {
            // Only when asked for: the original clients see exactly the fields they know.
            AliasJson.putLock(reply, request.lock());
          }
          sendJson(ctx, 200, reply);
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.of(failure, "create")));
  }

  /**
   * The confirmation mail, through the relay (the one door to the smarthost). The alias is made
   * whether or not the mail gets out; the relay retries, and another alias asks again later.
   */
  private void askTargetToConfirm(CreatedAlias created) {
    String address = created.aid() + "@" + settings.domain();
    ServiceMail mail = ConfirmationMail.of(created, address, settings.confirmFrom(), publicUrl());
    vertx.eventBus().request(RelayAddress.SERVICE_MAIL, mail.toJson(),
            new DeliveryOptions().setSendTimeout(settings.storeTimeoutMillis()))
        .onSuccess(ok -> LOG.info("confirmation mail for {} handed to the relay", created.aid()))
        .onFailure(err -> LOG.warn("confirmation mail for {} not handed to the relay: {}", created.aid(), err.getMessage()));
  }

  private String publicUrl() {
    return settings.publicUrl() != null ? settings.publicUrl()
        : "http://" + (settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host()) + ":" + port;
  }

  // ---- GET / POST /confirm/{token} --------------------------------------------------------------

  /** Shows what the link asks. Changes nothing: mail scanners fetch every link they see. */
  private void showConfirmation(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    ask(StoreAddress.CONFIRMATION, new ConfirmationRequest(token, null).toJson())
        .map(Confirmation::fromJson)
        .onSuccess(c -> sendPage(ctx, 200, ConfirmationPage.ask(c, token, settings.domain())))
        .onFailure(failure -> confirmationFailed(ctx, failure));
  }

  /** The target's answer: {@code action=confirm} or {@code action=block}, from the page's form. */
  private void decideConfirmation(RoutingContext ctx) {
    String token = ctx.pathParam("token");
    String action = ctx.request().getFormAttribute("action");
    if ("token".equals(action)) {
      issueTokenFromLink(ctx, token);
      return;
    }
    ConfirmationRequest.Decision decision = "confirm".equals(action) ? ConfirmationRequest.Decision.CONFIRM
        : "block".equals(action) ? ConfirmationRequest.Decision.BLOCK : null;
    if (decision == null) {
      throw ApiError.invalidData("action must be confirm or block");
    }
    ask(StoreAddress.DECIDE, new ConfirmationRequest(token, decision).toJson())
        .map(Confirmation::fromJson)
        .onSuccess(c -> {
          ctx.put(LOG_DETAIL, "target " + c.state().name().toLowerCase(Locale.ROOT));
          sendPage(ctx, 200, ConfirmationPage.decided(c, token));
        })
        .onFailure(failure -> confirmationFailed(ctx, failure));
  }

  /** A confirmed target's API token, from its confirmation link, with the default limits. */
  private void issueTokenFromLink(RoutingContext ctx, String linkToken) {
    TokenIssue issue = new TokenIssue(null, null, linkToken, settings.tokenDays() * DAY_MILLIS,
        settings.tokenMaxUsage(), ClientKey.of(ctx.get(CLIENT_IP)));
    ask(StoreAddress.TOKEN_ISSUE, issue.toJson())
        .map(IssuedToken::fromJson)
        .onSuccess(issued -> {
          ctx.put(LOG_DETAIL, "API token issued from a confirmation link");
          sendPage(ctx, 200, ConfirmationPage.token(issued, publicUrl(), settings.domain()));
        })
        .onFailure(failure -> confirmationFailed(ctx, failure));
  }

  /** A person follows the link: every answer is a page, never JSON. */
  private void confirmationFailed(RoutingContext ctx, Throwable failure) {
    StoreError error = failure instanceof ReplyException ? StoreError.of(failure) : null;
    if (error == StoreError.UNCONFIRMED) {
      sendPage(ctx, 409, ConfirmationPage.confirmFirst());
    } else if (error == StoreError.INVALID) {
      sendPage(ctx, 409, ConfirmationPage.tokenGiven()); // only the token action refuses so
    } else if (error == StoreError.NOT_FOUND) {
      sendPage(ctx, 404, ConfirmationPage.notFound());
    } else {
      ApiError answer = StoreRefusal.of(failure, "confirmation");
      if (answer.headerName() != null) {
        ctx.response().putHeader(answer.headerName(), answer.headerValue());
      }
      sendPage(ctx, answer.status(), ConfirmationPage.tryLater(answer.description()));
    }
  }

  /**
   * An HTML page of ours: never framed (a framed button could be clicked by deceit), no referrer
   * (the link is a secret), only our own stylesheet.
   */
  private static void sendPage(RoutingContext ctx, int status, String html) {
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader("Content-Security-Policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(html);
  }

  // ---- GET / DELETE /aliases/{aid} ------------------------------------------------------------

  private void getAlias(RoutingContext ctx) {
    AliasKey key = aliasKey(ctx);
    ask(StoreAddress.GET, key.toJson())
        .map(AliasStatus::fromJson)
        .onSuccess(status -> sendJson(ctx, 200, statusJson(status)))
        .onFailure(failure -> ctx.fail(StoreRefusal.of(failure, "get " + key.aid())));
  }

  private void requirePatchJson(RoutingContext ctx) {
    if (!UpdateRequest.isPatchContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      throw ApiError.invalidRequestType("send the change as Content-Type: application/json");
    }
    ctx.next();
  }

  /** Renews an alias: {@code days} and/or {@code max-usage} counted from now; answers the new status. */
  private void updateAlias(RoutingContext ctx) {
    AliasKey key = aliasKey(ctx);
    UpdateRequest change = UpdateRequest.parse(ctx.body().buffer(), settings.maxDays(), settings.maxUsage());
    AliasUpdate update = new AliasUpdate(key.aid(), key.updateKey(),
        change.days() == null ? null : change.days() * DAY_MILLIS, change.maxUsage());
    ask(StoreAddress.UPDATE, update.toJson())
        .map(AliasStatus::fromJson)
        .onSuccess(status -> {
          ctx.put(LOG_DETAIL, "renewed " + key.aid() + " (days " + change.days() + ", uses " + change.maxUsage() + ")");
          sendJson(ctx, 200, statusJson(status));
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.of(failure, "update " + key.aid())));
  }

  private JsonObject statusJson(AliasStatus status) {
    return AliasJson.status(status, settings.domain(), System.currentTimeMillis())
        .put("caps", new JsonObject().put("days", settings.maxDays()).put("max-usage", settings.maxUsage()));
  }

  /**
   * An API token for this alias's target (which must have confirmed), for a password manager:
   * shown once. Optional body {@code {"days", "max-usage"}}: the limits of the aliases it makes
   * (default {@code api.tokenDefaults}).
   */
  private void issueToken(RoutingContext ctx) {
    AliasKey key = aliasKey(ctx);
    Buffer body = ctx.body().buffer();
    int days = settings.tokenDays();
    int uses = settings.tokenMaxUsage();
    if (body != null && body.length() > 0) {
      if (!CreateRequest.isJsonContentType(ctx.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
        throw ApiError.invalidRequestType("send the limits as Content-Type: application/json");
      }
      UpdateRequest limits = UpdateRequest.parse(body, settings.maxDays(), settings.maxUsage());
      days = limits.days() != null ? limits.days() : days;
      uses = limits.maxUsage() != null ? limits.maxUsage() : uses;
      if (days == 0 && uses == 0) {
        throw ApiError.invalidData("give days or max-usage: the aliases a token makes need a limit");
      }
    }
    TokenIssue issue = new TokenIssue(key.aid(), key.updateKey(), null, days * DAY_MILLIS, uses,
        ClientKey.of(ctx.get(CLIENT_IP)));
    int tokenDays = days;
    ask(StoreAddress.TOKEN_ISSUE, issue.toJson())
        .map(IssuedToken::fromJson)
        .onSuccess(issued -> {
          ctx.put(LOG_DETAIL, "API token issued via " + key.aid());
          sendJson(ctx, 201, new JsonObject()
              .put("token", issued.token())
              .put("target", issued.target())
              .put("days", tokenDays == 0 ? null : tokenDays)
              .put("max_usage", issued.maxUsage() == 0 ? null : issued.maxUsage())
              .put("created", AliasJson.iso(issued.createdAtMillis()))
              .put("server", publicUrl())
              .put("domain", settings.domain()));
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.of(failure, "token via " + key.aid())));
  }

  private void deleteAlias(RoutingContext ctx) {
    AliasKey key = aliasKey(ctx);
    ask(StoreAddress.DELETE, key.toJson())
        .onSuccess(ignored -> {
          ctx.put(LOG_DETAIL, "deleted " + key.aid());
          ctx.response().setStatusCode(204).end();
        })
        .onFailure(failure -> ctx.fail(StoreRefusal.of(failure, "delete " + key.aid())));
  }

  /**
   * The alias id from the path and the update key from {@code Authorization: Bearer} (RFC 6750
   * §2.1; the scheme is case-insensitive per RFC 9110 §11.1). An id of the wrong shape cannot
   * exist, so it is a 404 before the key is even looked at.
   */
  private AliasKey aliasKey(RoutingContext ctx) {
    String aid = ctx.pathParam("aid").toLowerCase(Locale.ROOT);
    if (!AliasId.isWellFormed(aid)) {
      throw ApiError.notFound("no such alias");
    }
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (authorization == null) {
      throw ApiError.forbidden("send the alias's update key as Authorization: Bearer <updatekey>");
    }
    Matcher bearer = BEARER.matcher(authorization);
    if (!bearer.matches()) {
      throw ApiError.forbidden("the Authorization header must be Bearer <updatekey>");
    }
    return new AliasKey(aid, bearer.group(1));
  }

  private Future<JsonObject> ask(String address, JsonObject body) {
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(settings.storeTimeoutMillis());
    return vertx.eventBus().<JsonObject>request(address, body, options).map(Message::body);
  }

  // ---- /health, /metrics, /openapi.yaml, static files -----------------------------------------

  private void health(RoutingContext ctx) {
    health.run().onSuccess(report -> {
      boolean up = HealthCheck.UP.equals(report.getString("status"));
      JsonObject checks = report.getJsonObject("checks");
      ctx.put(LOG_DETAIL, "store=" + checks.getJsonObject("store").getString("status")
          + " redis=" + checks.getJsonObject("redis").getString("status"));
      sendJson(ctx, up ? 200 : 503, report);
    });
  }

  private void metrics(RoutingContext ctx) {
    PrometheusMeterRegistry registry = prometheusRegistry();
    if (registry == null) {
      throw ApiError.unavailable("metrics are not enabled: Vert.x was built without Micrometer Prometheus metrics");
    }
    PrometheusScrapingHandler.create(registry).handle(ctx);
  }

  /** The registry Vert.x Micrometer metrics publish to, when it was built with Prometheus enabled. */
  private PrometheusMeterRegistry prometheusRegistry() {
    if (!vertx.isMetricsEnabled()) {
      return null;
    }
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    return registry instanceof PrometheusMeterRegistry prometheus ? prometheus : null;
  }

  private void openApi(RoutingContext ctx) {
    // RFC 9512: application/yaml.
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
        .end(openApi);
  }

  /**
   * StaticHandler marks files {@code immutable}, which is right for fingerprinted names only. Ours
   * are not, so browsers revalidate every time (a cheap 304 thanks to Last-Modified) and see a new
   * page right after a deployment.
   */
  private void revalidateStaticFiles(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      if (ctx.response().getStatusCode() < 400) {
        ctx.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      }
    });
    ctx.next();
  }

  // ---- answers ----------------------------------------------------------------------------------

  static Handler<RoutingContext> allow(String methods) {
    return ctx -> ctx.response().setStatusCode(204).putHeader(HttpHeaders.ALLOW, methods).end();
  }

  static Handler<RoutingContext> refuse(String methods) {
    return ctx -> ctx.fail(ApiError.methodNotAllowed(methods));
  }

  private void onFailure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    ApiError error;
    if (failure instanceof ApiError apiError) {
      error = apiError;
    } else if (ctx.statusCode() == 413) {
      error = ApiError.tooMuchData(BODY_LIMIT);
    } else if (ctx.statusCode() == 403) {
      // Only CorsHandler fails with 403: the Origin is not one of http.corsOrigins.
      error = ApiError.originNotAllowed();
    } else if (ctx.statusCode() == 404) {
      error = ApiError.notFound("no such resource: " + ctx.request().path());
    } else if (ctx.statusCode() >= 400 && ctx.statusCode() < 500) {
      error = ApiError.invalidData("the request could not be read");
    } else {
      LOG.error("unexpected failure on {} {}", ctx.request().method(), ctx.request().path(), failure);
      error = ApiError.internal();
    }
    sendError(ctx, error);
  }

  private static void sendError(RoutingContext ctx, ApiError error) {
    if (ctx.response().headWritten()) {
      ctx.response().reset();
      return;
    }
    ctx.put(LOG_DETAIL, "error=" + error.code());
    if (error.headerName() != null) {
      ctx.response().putHeader(error.headerName(), error.headerValue());
    }
    JsonObject body = error.toJson();
    if (Boolean.TRUE.equals(ctx.get(ForwarderApi.VENDOR_ERRORS))) {
      body.put("message", error.description());
    }
    sendJson(ctx, error.status(), body);
  }

  /** Alias answers carry secrets (the update key) or per-moment state: never cached. */
  static void sendJson(RoutingContext ctx, int status, JsonObject body) {
    if (ctx.response().ended()) {
      return; // answered already (a 408 while the body was still coming)
    }
    ctx.response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader(HttpHeaders.CONTENT_TYPE, JSON)
        .end(body.toBuffer());
  }
}
