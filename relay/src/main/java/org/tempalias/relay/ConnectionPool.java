package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smarthost connections of one relay instance, at most {@code poolSize} of them (connecting,
 * busy or idle). A transaction the smarthost ended (it answered the final dot) gives its
 * connection back as it is ({@link #giveBack}); one that ended before gives it back with
 * {@link #release}: RSET (RFC 5321 §4.1.1.5) and, on 250, it waits idle for the next transaction; an idle connection is
 * QUIT after {@code poolIdleSeconds}. A connection that had any error, or whose RSET failed, is
 * closed and never reused. When the pool is full, {@link #acquire} waits up to the connect
 * timeout for a connection to come back, then fails with 451 4.4.5.
 *
 * <p>Not thread-safe: used only from the verticle's event loop.
 */
final class ConnectionPool {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionPool.class);
  private static final int QUIT_TIMEOUT_SECONDS = 5;

  private record Waiter(Promise<SmtpConnection> promise, long timer) {}

  private final Vertx vertx;
  private final RelayConfig config;
  private final SmtpConnector connector;
  private final Set<SmtpConnection> live = new HashSet<>();
  private final ArrayDeque<SmtpConnection> idle = new ArrayDeque<>();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private int connecting;
  private boolean closed;

  ConnectionPool(Vertx vertx, RelayConfig config, SmtpConnector connector) {
    this.vertx = vertx;
    this.config = config;
    this.connector = connector;
  }

  Future<SmtpConnection> acquire() {
    if (closed) {
      return Future.failedFuture(new RelayFailure(RelayFailure.SHUTTING_DOWN, "pool closed"));
    }
    while (!idle.isEmpty()) {
      SmtpConnection connection = idle.pollLast();
      vertx.cancelTimer(connection.idleTimer);
      connection.idleTimer = -1;
      if (connection.usable()) {
        return Future.succeededFuture(connection);
      }
    }
    if (live.size() + connecting < config.poolSize()) {
      return connectNew();
    }
    Promise<SmtpConnection> promise = Promise.promise();
    long timer = vertx.setTimer(config.connectTimeoutSeconds() * 1000L, t -> {
      if (waiters.removeIf(w -> w.promise() == promise)) {
        promise.tryFail(new RelayFailure(RelayFailure.CONGESTED,
            "all " + config.poolSize() + " smarthost connections busy for " + config.connectTimeoutSeconds() + " s"));
      }
    });
    waiters.add(new Waiter(promise, timer));
    return promise.future();
  }

  /** Gives a connection back after a transaction: RSET, then idle or to a waiter; closed if RSET fails. */
  void release(SmtpConnection connection) {
    if (closed || !connection.usable()) {
      discard(connection, "not reusable");
      return;
    }
    connection.command("RSET", config.mailTimeoutSeconds()).onComplete(ar -> {
      if (ar.succeeded() && ar.result().code() == 250) {
        if (closed) {
          connection.quit(QUIT_TIMEOUT_SECONDS); // the pool closed while RSET was on its way
        } else {
          handOut(connection);
        }
      } else {
        discard(connection, ar.succeeded() ? "RSET answered " + ar.result() : "RSET failed");
      }
    });
  }

  /**
   * Gives a connection back whose transaction the smarthost ended by answering the final dot: that
   * reply clears its buffers (RFC 5321 §4.1.1.4), so no RSET is due; a connection that died
   * meanwhile is found out by the next MAIL FROM, which is then tried once on a new one.
   */
  void giveBack(SmtpConnection connection) {
    if (closed || !connection.usable()) {
      discard(connection, "not reusable");
      return;
    }
    handOut(connection);
  }

  /** Closes a connection without a word: it may be in the middle of DATA. */
  void discard(SmtpConnection connection, String why) {
    connection.close(why);
  }

  /** QUITs idle connections, fails waiters; busy connections are closed by their transactions. */
  Future<Void> close() {
    closed = true;
    for (Waiter waiter : waiters) {
      vertx.cancelTimer(waiter.timer());
      waiter.promise().tryFail(new RelayFailure(RelayFailure.SHUTTING_DOWN, "pool closed"));
    }
    waiters.clear();
    List<Future<Void>> quits = new ArrayList<>();
    for (SmtpConnection connection : new ArrayList<>(idle)) {
      quits.add(connection.quit(QUIT_TIMEOUT_SECONDS));
    }
    idle.clear();
    return Future.join(quits).mapEmpty();
  }

  private Future<SmtpConnection> connectNew() {
    connecting++;
    return connector.connect().andThen(ar -> {
      connecting--;
      if (ar.succeeded()) {
        SmtpConnection connection = ar.result();
        live.add(connection);
        connection.brokenHandler(this::onBroken);
      } else {
        serveWaiter();
      }
    });
  }

  private void handOut(SmtpConnection connection) {
    Waiter waiter = waiters.poll();
    if (waiter != null) {
      vertx.cancelTimer(waiter.timer());
      waiter.promise().complete(connection);
      return;
    }
    idle.add(connection);
    connection.idleTimer = vertx.setTimer(config.poolIdleSeconds() * 1000L, t -> {
      connection.idleTimer = -1;
      if (idle.remove(connection)) {
        LOG.debug("smarthost connection #{} idle for {} s, closing", connection.id(), config.poolIdleSeconds());
        connection.quit(QUIT_TIMEOUT_SECONDS);
      }
    });
  }

  private void onBroken(SmtpConnection connection) {
    live.remove(connection);
    idle.remove(connection);
    serveWaiter();
  }

  /** A slot came free: the longest waiter gets a new connection (or its failure). */
  private void serveWaiter() {
    if (closed || waiters.isEmpty() || live.size() + connecting >= config.poolSize()) {
      return;
    }
    Waiter waiter = waiters.poll();
    vertx.cancelTimer(waiter.timer());
    connectNew().onComplete(waiter.promise());
  }
}
