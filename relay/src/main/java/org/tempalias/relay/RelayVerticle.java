package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.SmtpReply;

/**
 * The relay: the SMTP client to the smarthost. Consumes {@link RelayAddress#OPEN} (shared by
 * every instance: the event bus balances), registers the transaction address at once (so the
 * gateway can PING it while OPEN waits upstream), takes a pooled connection and sends MAIL FROM;
 * when the smarthost accepts it the {@link RelayTransaction} takes the steps, otherwise the
 * address is unregistered again. Each instance has its own pool; a transaction stays with the
 * instance that opened it.
 */
public class RelayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RelayVerticle.class);
  // RFC 6531 §3.2 and §3.6 (X.6.7): an SMTPUTF8 message must not go to a server that does not
  // offer SMTPUTF8; the relay cannot downgrade it, so it refuses before taking responsibility.
  static final SmtpReply SMTPUTF8_UNSUPPORTED =
      SmtpReply.of(553, "5.6.7", "SMTPUTF8 required but not supported by the smarthost");
  // RFC 3463 X.1.7 "Bad sender's mailbox address syntax".
  static final SmtpReply BAD_SENDER = SmtpReply.of(553, "5.1.7", "Bad sender mailbox address syntax");

  private RelayConfig config;
  private SmtpConnector connector;
  private ConnectionPool pool;
  private RelayMetrics metrics;
  private MessageConsumer<JsonObject> openConsumer;
  private final Map<String, RelayTransaction> transactions = new HashMap<>();
  private boolean stopping;

  @Override
  public Future<?> start() {
    // Reading the config may resolve the local host name for EHLO (a DNS lookup): off the loop.
    return vertx.executeBlocking(() -> RelayConfig.from(config()))
        .compose(this::checkTrust)
        .compose(v -> listen())
        .onSuccess(v -> LOG.info("relay ready: smarthost {}, starttls {}, auth {}, pool {}",
            config.smarthost(), config.startTls().name().toLowerCase(Locale.ROOT), config.hasCredentials(), config.poolSize()));
  }

  private Future<Void> checkTrust(RelayConfig loaded) {
    config = loaded;
    return config.trustPem() == null
        ? Future.succeededFuture()
        : vertx.fileSystem().exists(config.trustPem()).compose(exists -> exists
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new IllegalArgumentException("relay.trustPem: no such file " + config.trustPem())));
  }

  private Future<Void> listen() {
    connector = new SmtpConnector(vertx, config);
    pool = new ConnectionPool(vertx, config, connector);
    metrics = RelayMetrics.create();
    openConsumer = vertx.eventBus().consumer(RelayAddress.OPEN, this::onOpen);
    return openConsumer.completion();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    Future<Void> unregistered = openConsumer == null ? Future.succeededFuture() : openConsumer.unregister();
    for (RelayTransaction transaction : new ArrayList<>(transactions.values())) {
      transaction.abort("relay stopping");
    }
    Future<Void> quit = pool == null ? Future.succeededFuture() : pool.close();
    return Future.join(unregistered, quit)
        .eventually(() -> connector == null ? Future.succeededFuture() : connector.close());
  }

  private void onOpen(Message<JsonObject> message) {
    RelayOpen open;
    try {
      open = RelayOpen.fromJson(message.body());
    } catch (RuntimeException e) {
      message.reply(new RelayOpened(RelayFailure.OUT_OF_SEQUENCE, null).toJson());
      return;
    }
    if (!RelayAddress.isTransactionId(open.transactionId()) || transactions.containsKey(open.transactionId())) {
      // The id names the transaction address: a second holder would split its steps.
      LOG.info("relay transaction {}: refused, transaction id malformed or already open", open.transactionId());
      message.reply(new RelayOpened(RelayFailure.OUT_OF_SEQUENCE, null).toJson());
      return;
    }
    if (!Addresses.isSafe(open.reversePath())) {
      message.reply(new RelayOpened(BAD_SENDER, null).toJson());
      return;
    }
    RelayTransaction transaction = new RelayTransaction(vertx, config, pool, metrics, open.transactionId(),
        t -> transactions.remove(t.transactionId(), t));
    transactions.put(open.transactionId(), transaction);
    transaction.start()
        .compose(v -> openUpstream(open, true))
        .map(mail -> opened(open, transaction, mail))
        .recover(failure -> {
          transaction.closeUnopened();
          SmtpReply reply = RelayFailure.replyFor(failure);
          LOG.info("relay transaction {}: not opened, {} ({})", open.transactionId(), reply, failure.getMessage());
          return Future.succeededFuture(new RelayOpened(reply, null));
        })
        .onSuccess(opened -> message.reply(opened.toJson()));
  }

  /** The smarthost's answer to MAIL FROM; {@code connection} is set only when it was positive. */
  private record Mail(SmtpReply reply, SmtpConnection connection) {}

  private RelayOpened opened(RelayOpen open, RelayTransaction transaction, Mail mail) {
    if (mail.connection() == null) {
      transaction.closeUnopened();
      return new RelayOpened(mail.reply(), null);
    }
    if (!transaction.attach(mail.connection())) {
      SmtpReply reply = stopping ? RelayFailure.SHUTTING_DOWN : RelayFailure.OUT_OF_SEQUENCE;
      LOG.info("relay transaction {}: not opened, {} (ended while MAIL FROM was upstream)", open.transactionId(), reply);
      return new RelayOpened(reply, null);
    }
    return new RelayOpened(mail.reply(), transaction.address());
  }

  /**
   * MAIL FROM on a pooled connection. A reused connection may have been closed by the smarthost
   * while idle without us noticing yet: when it breaks before answering, try once on a new one.
   */
  private Future<Mail> openUpstream(RelayOpen open, boolean mayRetry) {
    return pool.acquire().compose(connection -> {
      Capabilities capabilities = connection.capabilities();
      if (open.smtputf8() && !capabilities.has("SMTPUTF8")) {
        pool.release(connection);
        LOG.info("relay transaction {}: refused, {}", open.transactionId(), SMTPUTF8_UNSUPPORTED);
        return Future.succeededFuture(new Mail(SMTPUTF8_UNSUPPORTED, null));
      }
      boolean reused = connection.transactions() > 0;
      connection.countTransaction();
      return connection.command(mailFrom(open, capabilities), config.mailTimeoutSeconds())
          .compose(reply -> reply.isPositive()
              ? Future.succeededFuture(new Mail(reply, connection))
              : refusedAtMail(open, connection, reply),
              failure -> {
                pool.discard(connection, "MAIL failed");
                boolean dropped = failure instanceof RelayFailure f && f.reply() == RelayFailure.CONNECTION_LOST;
                return mayRetry && reused && dropped ? openUpstream(open, false) : Future.failedFuture(failure);
              });
    });
  }

  private Future<Mail> refusedAtMail(RelayOpen open, SmtpConnection connection, SmtpReply reply) {
    pool.release(connection);
    LOG.info("relay transaction {}: MAIL FROM refused upstream, {}", open.transactionId(), reply);
    return Future.succeededFuture(new Mail(reply, null));
  }

  /** RFC 5321 §4.1.1.2 with RFC 1870 SIZE, RFC 6152 BODY, RFC 6531 SMTPUTF8, each only when offered. */
  static String mailFrom(RelayOpen open, Capabilities capabilities) {
    StringBuilder line = new StringBuilder("MAIL FROM:<").append(open.reversePath()).append('>');
    if (open.size() > 0 && capabilities.has("SIZE")) {
      line.append(" SIZE=").append(open.size());
    }
    if (Addresses.isKeyword(open.body()) && capabilities.has("8BITMIME")) {
      line.append(" BODY=").append(open.body().toUpperCase(Locale.ROOT));
    }
    if (open.smtputf8() && capabilities.has("SMTPUTF8")) {
      line.append(" SMTPUTF8");
    }
    return line.toString();
  }

  /** How many smarthost connections this instance holds (busy or idle); for tests and health. */
  public int smarthostConnections() {
    return pool == null ? 0 : pool.liveConnections();
  }

  /** How many smarthost connections wait idle for the next transaction; for tests. */
  int idleSmarthostConnections() {
    return pool == null ? 0 : pool.idleConnections();
  }
}
