package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.PemTrustOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.SmtpReply;

/**
 * Opens a ready-to-use smarthost connection: connect, greeting, EHLO (HELO when EHLO is refused
 * with 5xx, RFC 5321 §4.1.4), STARTTLS per configuration (RFC 3207) with a fresh EHLO after it,
 * then AUTH PLAIN or LOGIN (RFC 4954, RFC 4616) when credentials are configured.
 *
 * <p>Commands without a timeout of their own in RFC 5321 §4.5.3.2 (EHLO, STARTTLS, AUTH, RSET)
 * use the MAIL timeout.
 */
final class SmtpConnector {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpConnector.class);
  private static final AtomicLong IDS = new AtomicLong();

  private final Vertx vertx;
  private final RelayConfig config;
  private final NetClient client;
  private final ClientSSLOptions sslOptions;

  SmtpConnector(Vertx vertx, RelayConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.client = vertx.createNetClient(new NetClientOptions()
        .setTcpNoDelay(true) // Nagle would hold back each command ~40 ms (delayed ACK)
        .setConnectTimeout(config.connectTimeoutSeconds() * 1000));
    this.sslOptions = sslOptions(config);
  }

  private static ClientSSLOptions sslOptions(RelayConfig config) {
    ClientSSLOptions options = new ClientSSLOptions();
    if (config.trustPem() != null) {
      options.setTrustOptions(new PemTrustOptions().addCertPath(config.trustPem()));
    }
    // RFC 7435: opportunistic TLS without a configured CA encrypts without authenticating, as
    // Postfix's "may" level does; anything stricter would refuse mail a plaintext relay accepts.
    boolean verify = !config.trustAll()
        && (config.startTls() == RelayConfig.StartTls.REQUIRED || config.trustPem() != null);
    options.setTrustAll(!verify);
    options.setHostnameVerificationAlgorithm(verify ? "HTTPS" : "");
    return options;
  }

  Future<SmtpConnection> connect() {
    long id = IDS.incrementAndGet();
    return client.connect(config.port(), config.host())
        .recover(t -> Future.failedFuture(new RelayFailure(RelayFailure.NO_ANSWER,
            "connect to " + config.smarthost() + " failed: " + t.getMessage())))
        .compose(socket -> {
          SmtpConnection connection = new SmtpConnection(vertx, socket, id);
          return handshake(connection)
              .onFailure(t -> connection.close("handshake failed"))
              .map(connection);
        })
        .onSuccess(c -> LOG.info("smarthost connection #{} to {} ready: tls={} auth={} extensions={}",
            c.id(), config.smarthost(), c.tls(), config.hasCredentials(), c.capabilities().extensions().keySet()))
        .onFailure(t -> LOG.warn("smarthost connection #{} to {} failed: {}", id, config.smarthost(), t.getMessage()));
  }

  Future<Void> close() {
    return client.close();
  }

  private Future<Void> handshake(SmtpConnection c) {
    return c.reply(config.greetingTimeoutSeconds(), "greeting")
        .compose(greeting -> greeting.code() == 220
            ? hello(c)
            : refused(RelayFailure.REFUSED_US, "greeting " + greeting))
        .compose(v -> startTls(c))
        .compose(v -> authenticate(c));
  }

  private Future<Void> hello(SmtpConnection c) {
    return c.command("EHLO " + config.ehloName(), config.mailTimeoutSeconds()).compose(ehlo -> {
      if (ehlo.code() == 250) {
        c.capabilities(Capabilities.fromEhlo(ehlo));
        return Future.succeededFuture();
      }
      if (!ehlo.isPermanent()) {
        return refused(RelayFailure.REFUSED_US, "EHLO answered " + ehlo);
      }
      return c.command("HELO " + config.ehloName(), config.mailTimeoutSeconds()).compose(helo -> {
        c.capabilities(Capabilities.NONE);
        return helo.code() == 250 ? Future.succeededFuture() : refused(RelayFailure.REFUSED_US, "HELO answered " + helo);
      });
    });
  }

  private Future<Void> startTls(SmtpConnection c) {
    RelayConfig.StartTls mode = config.startTls();
    if (mode == RelayConfig.StartTls.OFF) {
      return Future.succeededFuture();
    }
    boolean required = mode == RelayConfig.StartTls.REQUIRED;
    if (!c.capabilities().has("STARTTLS")) {
      return required ? refused(RelayFailure.TLS_UNAVAILABLE, "STARTTLS required but not offered") : Future.succeededFuture();
    }
    return c.command("STARTTLS", config.mailTimeoutSeconds()).compose(reply -> {
      if (reply.code() != 220) {
        // RFC 3207 §4: after a refused STARTTLS the session goes on in plaintext.
        return required ? refused(RelayFailure.TLS_UNAVAILABLE, "STARTTLS answered " + reply) : Future.succeededFuture();
      }
      return c.startTls(sslOptions, config.host()).compose(v -> hello(c));
    });
  }

  private Future<Void> authenticate(SmtpConnection c) {
    if (!config.hasCredentials()) {
      return Future.succeededFuture();
    }
    if (!c.tls() && !config.authWithoutTls()) {
      return refused(RelayFailure.AUTH_FAILED, "refusing to send credentials without TLS (set relay.authWithoutTls)");
    }
    Set<String> mechanisms = c.capabilities().authMechanisms();
    if (mechanisms.contains("PLAIN")) {
      // RFC 4616 §2: authzid NUL authcid NUL passwd; RFC 4954 §4: initial response on the command line.
      String token = base64("\0" + config.username() + "\0" + config.password());
      return c.command("AUTH PLAIN " + token, config.mailTimeoutSeconds(), "AUTH PLAIN").compose(this::expectAuthenticated);
    }
    if (mechanisms.contains("LOGIN")) {
      return c.command("AUTH LOGIN", config.mailTimeoutSeconds())
          .compose(r -> r.code() == 334 ? c.command(base64(config.username()), config.mailTimeoutSeconds(), "AUTH LOGIN user") : Future.succeededFuture(r))
          .compose(r -> r.code() == 334 ? c.command(base64(config.password()), config.mailTimeoutSeconds(), "AUTH LOGIN password") : Future.succeededFuture(r))
          .compose(this::expectAuthenticated);
    }
    return refused(RelayFailure.AUTH_FAILED, "no common AUTH mechanism (offered: " + mechanisms + ")");
  }

  private Future<Void> expectAuthenticated(SmtpReply reply) {
    return reply.code() == 235 ? Future.succeededFuture() : refused(RelayFailure.AUTH_FAILED, "AUTH answered " + reply);
  }

  private static <T> Future<T> refused(SmtpReply ours, String detail) {
    return Future.failedFuture(new RelayFailure(ours, detail));
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
