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
 * every instance: the event bus balances), checks it and hands it to a new
 * {@link RelayTransaction}, which owns the upstream transaction from MAIL FROM to the final reply.
 * Each instance has its own pool; a transaction stays with the instance that opened it.
 */
public class RelayVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(RelayVerticle.class);
  // RFC 3463 X.1.7 "Bad sender's mailbox address syntax".
  static final SmtpReply BAD_SENDER = SmtpReply.of(553, "5.1.7", "Bad sender mailbox address syntax");

  private RelayConfig config;
  private SmtpConnector connector;
  private ConnectionPool pool;
  private RelayMetrics metrics;
  private MessageConsumer<JsonObject> openConsumer;
  private MessageConsumer<JsonObject> mailConsumer;
  private ServiceMailer mailer;
  private final Map<String, RelayTransaction> transactions = new HashMap<>();

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
    mailer = new ServiceMailer(vertx, config);
    openConsumer = vertx.eventBus().consumer(RelayAddress.OPEN, this::onOpen);
    mailConsumer = vertx.eventBus().consumer(RelayAddress.SERVICE_MAIL, mailer::onServiceMail);
    return Future.all(openConsumer.completion(), mailConsumer.completion()).mapEmpty();
  }

  @Override
  public Future<?> stop() {
    Future<Void> unregistered = openConsumer == null ? Future.succeededFuture()
        : Future.join(openConsumer.unregister(), mailConsumer.unregister()).mapEmpty();
    for (RelayTransaction transaction : new ArrayList<>(transactions.values())) {
      transaction.stop();
    }
    Future<Void> quit = pool == null ? Future.succeededFuture() : pool.close();
    return Future.join(unregistered, quit)
        .eventually(() -> mailer == null ? Future.succeededFuture() : mailer.close())
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
    RelayTransaction transaction = new RelayTransaction(vertx, config, pool, metrics, open,
        t -> transactions.remove(t.transactionId(), t));
    transactions.put(open.transactionId(), transaction);
    transaction.open().onSuccess(opened -> message.reply(opened.toJson()));
  }
}
