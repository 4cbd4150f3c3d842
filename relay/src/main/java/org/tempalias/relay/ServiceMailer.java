package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.ServiceMail;

/**
 * Mail the service writes itself (confirmation requests), sent whole with vertx-mail-client
 * through the same smarthost, TLS and credentials as relayed mail: the relay stays the one door
 * to the smarthost. vertx-mail-client adds Date and makes text + HTML a
 * {@code multipart/alternative}; we add {@code Auto-Submitted: auto-generated} (RFC 3834 §5), so
 * that no auto-responder answers it. An unreachable smarthost is tried again a bounded number of
 * times, each failure logged.
 */
final class ServiceMailer {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceMailer.class);

  private final Vertx vertx;
  private final RelayConfig config;
  private final MailClient client;

  ServiceMailer(Vertx vertx, RelayConfig config) {
    this.vertx = vertx;
    this.config = config;
    this.client = MailClient.create(vertx, mailConfig(config));
  }

  static MailConfig mailConfig(RelayConfig config) {
    MailConfig mail = new MailConfig()
        .setHostname(config.host())
        .setPort(config.port())
        .setOwnHostname(config.ehloName())
        .setMaxPoolSize(2)
        .setConnectTimeout(config.connectTimeoutSeconds() * 1000);
    boolean credentials = config.hasCredentials();
    // Credentials go over TLS only, unless relay.authWithoutTls says otherwise (as for relayed mail).
    StartTLSOptions tls = switch (config.startTls()) {
      case OFF -> StartTLSOptions.DISABLED;
      case OPPORTUNISTIC -> credentials && !config.authWithoutTls() ? StartTLSOptions.REQUIRED : StartTLSOptions.OPTIONAL;
      case REQUIRED -> StartTLSOptions.REQUIRED;
    };
    mail.setStarttls(tls);
    if (config.trustPem() != null) {
      mail.setTrustOptions(new PemTrustOptions().addCertPath(config.trustPem()));
      mail.setHostnameVerificationAlgorithm("HTTPS");
    } else {
      // RFC 7435 opportunistic security, as for relayed mail: encrypted, not authenticated.
      mail.setTrustAll(config.startTls() != RelayConfig.StartTls.REQUIRED || config.trustAll());
    }
    if (credentials) {
      mail.setLogin(LoginOption.REQUIRED).setUsername(config.username()).setPassword(config.password())
          .setAuthMethods("PLAIN LOGIN");
    } else {
      mail.setLogin(LoginOption.DISABLED);
    }
    return mail;
  }

  /** {@code RelayAddress.SERVICE_MAIL}: taken at once, sent on our own time. */
  void onServiceMail(Message<JsonObject> message) {
    ServiceMail mail;
    try {
      mail = ServiceMail.fromJson(message.body());
    } catch (RuntimeException e) {
      message.fail(400, "not a service mail");
      return;
    }
    if (!Addresses.isSafe(mail.to()) || !Addresses.isSafe(mail.from()) || mail.subject() == null
        || mail.subject().chars().anyMatch(c -> c < 0x20)) {
      message.fail(400, "unsafe address or subject");
      return;
    }
    message.reply(new JsonObject());
    send(mail, 1, config.serviceMailRetrySeconds());
  }

  private void send(ServiceMail mail, int attempt, long nextDelaySeconds) {
    MailMessage message = new MailMessage()
        .setFrom(mail.from())
        .setTo(mail.to())
        .setSubject(mail.subject())
        .setText(mail.text())
        .setHtml(mail.html())
        .addHeader("Auto-Submitted", "auto-generated")
        // RFC 5322 §3.6.4: unique, and in a domain of ours (the sender's), not our EHLO literal.
        .addHeader("Message-ID", "<" + UUID.randomUUID() + "@" + mail.from().substring(mail.from().lastIndexOf('@') + 1) + ">");
    client.sendMail(message)
        .onSuccess(result -> LOG.info("service mail \"{}\" sent ({}), attempt {}", mail.subject(), result.getMessageID(),
            attempt))
        .onFailure(err -> {
          if (attempt >= config.serviceMailAttempts()) {
            LOG.warn("service mail \"{}\" given up after {} attempts: {}", mail.subject(), attempt, err.getMessage());
            return;
          }
          LOG.warn("service mail \"{}\" failed (attempt {}): {}; trying again in {} s", mail.subject(), attempt,
              err.getMessage(), nextDelaySeconds);
          vertx.setTimer(nextDelaySeconds * 1000, t -> send(mail, attempt + 1, nextDelaySeconds * 2));
        });
  }

  Future<Void> close() {
    return client.close();
  }
}
