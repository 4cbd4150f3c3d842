package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SMTP server of tempalias: accepts connections, enforces the connection limits and runs one
 * {@link Session} per connection. Configuration: the {@code smtp} section and {@code domains}.
 */
public class SmtpGatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpGatewayVerticle.class);

  private SmtpConfig config;
  private NetServer server;
  private StoreClient store;
  private GatewayMetrics metrics;
  private ServerSSLOptions sslOptions;
  private final Set<Session> sessions = new LinkedHashSet<>();
  private final Map<String, Integer> perIp = new HashMap<>();
  private boolean stopping;

  @Override
  public Future<?> start() {
    try {
      config = SmtpConfig.from(config());
      if (config.tlsEnabled()) {
        requireReadable("smtp.tlsCert", config.tlsCert());
        requireReadable("smtp.tlsKey", config.tlsKey());
        sslOptions = new ServerSSLOptions()
            .setKeyCertOptions(new PemKeyCertOptions().setCertPath(config.tlsCert()).setKeyPath(config.tlsKey()));
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    store = new StoreClient(vertx.eventBus(), config.storeTimeoutMillis());
    metrics = new GatewayMetrics();
    server = vertx.createNetServer(new NetServerOptions()
            .setHost(config.host())
            .setPort(config.port())
            .setTcpNoDelay(true))
        .connectHandler(this::onConnect);
    return server.listen().onSuccess(s -> LOG.info("SMTP gateway listening on {}:{} for domains {} (STARTTLS {})",
        config.host(), s.actualPort(), config.domains(), config.tlsEnabled() ? "on" : "off"));
  }

  /**
   * Graceful shutdown: the server stops listening, idle sessions get 421 4.3.2, DATA in progress
   * may finish within {@code shutdownGraceSeconds}; whatever is still open then is closed.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (server == null) {
      return Future.succeededFuture();
    }
    LOG.info("SMTP gateway shutting down, {} sessions open, grace {} s", sessions.size(), config.shutdownGraceSeconds());
    return server.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS);
  }

  /** The bound port (useful with port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  private void onConnect(NetSocket socket) {
    String ip = socket.remoteAddress().hostAddress();
    if (stopping) {
      socket.write(Replies.SHUTTING_DOWN.toWire());
      socket.close();
      return;
    }
    if (sessions.size() >= config.maxConnections()) {
      refuse(socket, ip, "refused_total", Replies.TOO_MANY_CONNECTIONS);
      return;
    }
    if (perIp.getOrDefault(ip, 0) >= config.maxConnectionsPerIp()) {
      refuse(socket, ip, "refused_ip", Replies.TOO_MANY_FROM_IP);
      return;
    }
    metrics.connection("accepted");
    metrics.opened();
    perIp.merge(ip, 1, Integer::sum);
    Session[] holder = new Session[1];
    Session session = new Session(vertx, socket, config, store, metrics, sslOptions, () -> {
      sessions.remove(holder[0]);
      perIp.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
      metrics.closed();
    });
    holder[0] = session;
    sessions.add(session);
    socket.shutdownHandler(v -> session.shutdown());
    session.start();
  }

  private void refuse(NetSocket socket, String ip, String outcome, org.tempalias.contract.SmtpReply reply) {
    metrics.connection(outcome);
    LOG.info("{} connection refused: {} ({})", ip, outcome, reply);
    socket.write(reply.toWire());
    socket.close();
  }

  private static void requireReadable(String key, String path) {
    if (!Files.isReadable(Path.of(path))) {
      throw new IllegalArgumentException(key + ": cannot read " + path);
    }
  }
}
