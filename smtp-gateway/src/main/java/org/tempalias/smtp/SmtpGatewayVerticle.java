package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.shareddata.LocalMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ClientKey;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.Replies;
import org.tempalias.smtp.srs.Srs;
import org.tempalias.smtp.srs.SrsSettings;

/**
 * The SMTP server of tempalias: accepts connections, enforces the connection limits (per node,
 * shared by every instance of the deployment) and runs one {@link Session} per connection.
 * Configuration: the {@code smtp} section and {@code domains}.
 */
public class SmtpGatewayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpGatewayVerticle.class);

  private static final String EPHEMERAL_SRS_SECRETS = "tempalias.smtp.srs";

  private SmtpConfig config;
  private NetServer server;
  private Gateway gateway;
  private NodeLimits limits;
  private StartTls startTls;
  private final Set<Session> sessions = new LinkedHashSet<>();
  private boolean stopping;

  @Override
  public Future<?> start() {
    try {
      config = SmtpConfig.from(config());
      if (config.tlsEnabled()) {
        requireReadable("smtp.tlsCert", config.tlsCert());
        requireReadable("smtp.tlsKey", config.tlsKey());
      }
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    SrsSettings srsSettings;
    try {
      srsSettings = SrsSettings.from(config(), config.domains());
    } catch (IllegalArgumentException e) {
      return Future.failedFuture(e);
    }
    limits = NodeLimits.join(vertx, deploymentID(), config);
    Future<StartTls> tls = config.tlsEnabled()
        ? StartTls.load(vertx, config.tlsCert(), config.tlsKey())
        : Future.succeededFuture();
    return Future.all(tls, srs(srsSettings)).compose(loaded -> {
      startTls = loaded.resultAt(0);
      gateway = new Gateway(vertx, config, new StoreClient(vertx, config.storeTimeoutMillis()),
          new GatewayMetrics(), limits, loaded.resultAt(1));
      server = vertx.createNetServer(new NetServerOptions()
              .setHost(config.host())
              .setPort(config.port())
              .setTcpNoDelay(true))
          .connectHandler(this::onConnect);
      return server.listen();
    }).onFailure(e -> limits.leave(vertx, deploymentID())).onSuccess(s -> LOG.info(
        "SMTP gateway listening on {}:{} for domains {} (STARTTLS {}, SRS {})", config.host(), s.actualPort(),
        config.domains(), config.tlsEnabled() ? "on" : "off", gateway.srs() == null ? "off" : gateway.srs().domain()));
  }

  /**
   * The sender rewriting, its secrets read off the event loop. Without a secrets file (the launcher
   * always gives one) every instance of this deployment shares one random secret, which dies with
   * the JVM: bounces to addresses written before a restart are then refused.
   */
  private Future<Srs> srs(SrsSettings settings) {
    if (!settings.enabled()) {
      return Future.succeededFuture();
    }
    Future<List<byte[]>> secrets;
    if (settings.secretsFile() != null) {
      secrets = vertx.executeBlocking(() -> SrsSettings.readSecrets(settings.secretsFile()));
    } else {
      LocalMap<String, byte[]> shared = vertx.sharedData().getLocalMap(EPHEMERAL_SRS_SECRETS);
      secrets = Future.succeededFuture(List.of(shared.computeIfAbsent(deploymentID(), id -> {
        LOG.warn("srs.secretsFile not set: SRS signs with a random secret that a restart forgets");
        return SrsSettings.newSecret();
      })));
    }
    return secrets.map(list -> new Srs(list, settings.domain(), settings.maxAgeDays(),
        () -> System.currentTimeMillis() / 1000));
  }

  /**
   * Graceful shutdown: the server stops listening, idle sessions get 421 4.3.2, DATA in progress
   * may finish within {@code shutdownGraceSeconds}; whatever is still open then is closed.
   */
  @Override
  public Future<?> stop() {
    stopping = true;
    if (server == null) {
      limits.leave(vertx, deploymentID());
      return Future.succeededFuture();
    }
    LOG.info("SMTP gateway shutting down, {} sessions open, grace {} s", sessions.size(), config.shutdownGraceSeconds());
    return server.shutdown(config.shutdownGraceSeconds(), TimeUnit.SECONDS)
        .andThen(v -> limits.leave(vertx, deploymentID()));
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
    String client = ClientKey.of(ip);
    String refused = limits.admit(client);
    if (refused != null) {
      refuse(socket, ip, refused, refused.equals("refused_ip") ? Replies.TOO_MANY_FROM_IP : Replies.TOO_MANY_CONNECTIONS);
      return;
    }
    gateway.metrics().connection("accepted");
    gateway.metrics().opened();
    Session[] holder = new Session[1];
    Session session = new Session(gateway, socket, startTls, () -> {
      sessions.remove(holder[0]);
      limits.sessionClosed(client);
      gateway.metrics().closed();
    });
    holder[0] = session;
    sessions.add(session);
    socket.shutdownHandler(v -> session.shutdown());
    session.start();
  }

  private void refuse(NetSocket socket, String ip, String outcome, SmtpReply reply) {
    gateway.metrics().connection(outcome);
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
