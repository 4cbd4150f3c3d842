package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.SmtpReply;

/**
 * The relay: the SMTP client to the smarthost. Consumes {@link RelayAddress#OPEN} (shared by
 * every instance: the event bus balances), takes a pooled connection, sends MAIL FROM and, when
 * the smarthost accepts it, opens a {@link RelayTransaction} on an address of its own. Each
 * instance has its own pool; a transaction stays with the instance that opened it.
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
  private final Set<RelayTransaction> transactions = new HashSet<>();

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
    Future<Void> unregistered = openConsumer == null ? Future.succeededFuture() : openConsumer.unregister();
    for (RelayTransaction transaction : new ArrayList<>(transactions)) {
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
    if (!Addresses.isSafe(open.reversePath())) {
      message.reply(new RelayOpened(BAD_SENDER, null).toJson());
      return;
    }
    openUpstream(open, true)
        .recover(failure -> {
          SmtpReply reply = RelayFailure.replyFor(failure);
          LOG.info("relay transaction {}: not opened, {} ({})", open.transactionId(), reply, failure.getMessage());
          return Future.succeededFuture(new RelayOpened(reply, null));
        })
        .onSuccess(opened -> message.reply(opened.toJson()));
  }

  /**
   * MAIL FROM on a pooled connection. A reused connection may have been closed by the smarthost
   * while idle without us noticing yet: when it breaks before answering, try once on a new one.
   */
  private Future<RelayOpened> openUpstream(RelayOpen open, boolean mayRetry) {
    return pool.acquire().compose(connection -> {
      Capabilities capabilities = connection.capabilities();
      if (open.smtputf8() && !capabilities.has("SMTPUTF8")) {
        pool.release(connection);
        LOG.info("relay transaction {}: refused, {}", open.transactionId(), SMTPUTF8_UNSUPPORTED);
        return Future.succeededFuture(new RelayOpened(SMTPUTF8_UNSUPPORTED, null));
      }
      boolean reused = connection.transactions() > 0;
      connection.countTransaction();
      return connection.command(mailFrom(open, capabilities), config.mailTimeoutSeconds())
          .compose(reply -> reply.isPositive()
              ? startTransaction(open, connection, reply)
              : refusedAtMail(open, connection, reply),
              failure -> {
                pool.discard(connection, "MAIL failed");
                boolean dropped = failure instanceof RelayFailure f && f.reply() == RelayFailure.CONNECTION_LOST;
                return mayRetry && reused && dropped ? openUpstream(open, false) : Future.failedFuture(failure);
              });
    });
  }

  private Future<RelayOpened> refusedAtMail(RelayOpen open, SmtpConnection connection, SmtpReply reply) {
    pool.release(connection);
    LOG.info("relay transaction {}: MAIL FROM refused upstream, {}", open.transactionId(), reply);
    return Future.succeededFuture(new RelayOpened(reply, null));
  }

  private Future<RelayOpened> startTransaction(RelayOpen open, SmtpConnection connection, SmtpReply reply) {
    RelayTransaction transaction = new RelayTransaction(vertx, config, pool, connection, metrics,
        open.transactionId(), UUID.randomUUID().toString(), transactions::remove);
    transactions.add(transaction);
    return transaction.start()
        .map(v -> new RelayOpened(reply, transaction.address()))
        .onFailure(t -> transaction.abort("address registration failed: " + t.getMessage()));
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
