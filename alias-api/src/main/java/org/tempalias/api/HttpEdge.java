package org.tempalias.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.shareddata.Shareable;
import io.vertx.ext.web.RoutingContext;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the HTTP server does before a request reaches a route, against clients that are slow,
 * many or malformed: connections per node are capped (the instances of a deployment share the
 * count); a connection that has not sent a whole request head within the request timeout is
 * closed; a request whose body does not arrive within it gets 408; a request the decoder refused
 * gets 400, 414 or 431, and an ambiguous body length (RFC 9112 §6.1, §6.3) 400 — every refusal with
 * the API's {@code {error, description}} body, then the connection is closed.
 */
final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);
  private static final String MAP = "tempalias.api.connections";

  /** The open connections of one deployment, on every event loop of the node. */
  private static final class Count implements Shareable {
    final AtomicInteger open = new AtomicInteger();
  }

  private final Vertx vertx;
  private final ApiConfig settings;
  private final Count count;

  HttpEdge(Vertx vertx, ApiConfig settings, String deploymentId) {
    this.vertx = vertx;
    this.settings = settings;
    this.count = vertx.sharedData().<String, Count>getLocalMap(MAP).computeIfAbsent(deploymentId, id -> new Count());
  }

  /** For {@code HttpServer.connectionHandler}: the cap, and the time allowed for a first request. */
  void onConnection(HttpConnection connection) {
    int open = count.open.incrementAndGet();
    if (open > settings.maxConnections()) {
      // Over the cap the connection still gets its answer (503 with a body, see onRequest), then closes.
      LOG.warn("HTTP connections over the cap ({}); refusing {}", settings.maxConnections(), connection.remoteAddress());
    }
    long timer = vertx.setTimer(settings.requestTimeoutSeconds() * 1000L, t -> {
      if (!started(connection)) {
        LOG.info("HTTP connection from {} sent no whole request in {} s; closed", connection.remoteAddress(),
            settings.requestTimeoutSeconds());
        connection.close();
      }
    });
    connection.closeHandler(v -> {
      count.open.decrementAndGet();
      vertx.cancelTimer(timer);
    });
  }

  /** Whether the node holds more connections than allowed (the request is then refused with 503). */
  boolean overCapacity() {
    return count.open.get() > settings.maxConnections();
  }

  /**
   * The first route: marks the connection as having sent a request, refuses an ambiguous body
   * length, and bounds the time the body may take (408).
   */
  void onRequest(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    markStarted(request.connection());
    if (overCapacity()) {
      closeAfterResponse(ctx);
      throw ApiError.unavailable("too many connections; try again shortly");
    }
    List<String> encodings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
    if (!encodings.isEmpty() && !endsWithChunked(encodings)) {
      // RFC 9112 §6.1: without chunked as the final coding the length cannot be known: 400, close.
      closeAfterResponse(ctx);
      throw ApiError.invalidData("Transfer-Encoding must end with chunked");
    }
    long timer = vertx.setTimer(settings.requestTimeoutSeconds() * 1000L, t -> {
      if (!ctx.response().ended() && !ctx.request().isEnded()) {
        closeAfterResponse(ctx);
        ctx.fail(ApiError.requestTimeout(settings.requestTimeoutSeconds()));
      }
    });
    ctx.addEndHandler(v -> vertx.cancelTimer(timer));
    ctx.next();
  }

  /** The refusal is the last word on this connection: what else it sent cannot be trusted to frame a request. */
  private static void closeAfterResponse(RoutingContext ctx) {
    HttpConnection connection = ctx.request().connection();
    ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(v -> connection.close());
  }

  /** For {@code HttpServer.invalidRequestHandler}: what the decoder refused, with a body. */
  void onInvalidRequest(HttpServerRequest request) {
    markStarted(request.connection());
    Throwable cause = request.decoderResult().cause();
    ApiError error = cause instanceof TooLongHttpLineException ? ApiError.uriTooLong()
        : cause instanceof TooLongHttpHeaderException ? ApiError.headersTooLarge()
        : ApiError.invalidData("the request could not be read" + (cause == null ? "" : ": " + cause.getMessage()));
    LOG.info("HTTP invalid request from {}: {} ({})", request.remoteAddress(), error.status(),
        cause == null ? "-" : cause.toString());
    request.response()
        .setStatusCode(error.status())
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(error.toJson().toBuffer())
        .onComplete(v -> request.connection().close());
  }

  private static boolean endsWithChunked(List<String> headers) {
    String all = String.join(",", headers);
    String[] codings = all.split(",");
    return codings[codings.length - 1].trim().toLowerCase(Locale.ROOT).equals("chunked");
  }

  /** Connections that sent a request: the first-request timer leaves them to the idle timeout. */
  private final Set<HttpConnection> started = Collections.newSetFromMap(new WeakHashMap<>());

  private void markStarted(HttpConnection connection) {
    started.add(connection);
  }

  private boolean started(HttpConnection connection) {
    return started.contains(connection);
  }
}
