package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.NetSocket;
import java.util.ArrayDeque;
import java.util.List;
import org.tempalias.contract.SmtpReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP client connection to the smarthost: writes commands, reads replies with a deadline,
 * streams data with back-pressure. One command in flight at a time (no PIPELINING upstream:
 * every reply decides the next step anyway).
 *
 * <p>Any failure (timeout, close, garbage, TLS) breaks the connection for good: the socket is
 * closed, everything waiting on it fails with a {@link RelayFailure}, and the owner hears about
 * it through the broken handler. A broken connection is never reused.
 *
 * <p>Not thread-safe: used only from the event loop of the verticle that created it.
 */
final class SmtpConnection {
  private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);
  private static final String CRLF = "\r\n";

  private record DrainWaiter(Promise<Void> promise, long timer) {}

  private final Vertx vertx;
  private final NetSocket socket;
  private final long id;
  private final ReplyParser parser = new ReplyParser();
  private final ArrayDeque<DrainWaiter> drainWaiters = new ArrayDeque<>();
  private Promise<SmtpReply> pending;
  private long replyTimer = -1;
  private RelayFailure failure;
  private Handler<SmtpConnection> brokenHandler;
  private Capabilities capabilities = Capabilities.NONE;
  private boolean tls;
  private int transactions;
  long idleTimer = -1;

  SmtpConnection(Vertx vertx, NetSocket socket, long id) {
    this.vertx = vertx;
    this.socket = socket;
    this.id = id;
    socket.handler(this::onData);
    socket.closeHandler(v -> breakWith(RelayFailure.CONNECTION_LOST, "connection closed by the smarthost"));
    socket.exceptionHandler(t -> breakWith(RelayFailure.CONNECTION_LOST, "socket error: " + t));
    socket.drainHandler(v -> drained());
  }

  long id() {
    return id;
  }

  void brokenHandler(Handler<SmtpConnection> handler) {
    this.brokenHandler = handler;
  }

  /** Whether the connection can take a new command: not broken and not waiting for a reply. */
  boolean usable() {
    return failure == null && pending == null;
  }

  Capabilities capabilities() {
    return capabilities;
  }

  void capabilities(Capabilities capabilities) {
    this.capabilities = capabilities;
  }

  boolean tls() {
    return tls;
  }

  /** How many MAIL commands this connection carried; a reused connection may have died idle. */
  int transactions() {
    return transactions;
  }

  void countTransaction() {
    transactions++;
  }

  /** Waits for the next reply (e.g. the greeting, or the reply to the final dot). */
  Future<SmtpReply> reply(int timeoutSeconds, String step) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (pending != null) {
      return Future.failedFuture(new IllegalStateException("a reply is already awaited on connection #" + id));
    }
    pending = Promise.promise();
    replyTimer = vertx.setTimer(timeoutSeconds * 1000L, t -> {
      replyTimer = -1;
      breakWith(RelayFailure.NO_ANSWER, "no reply to " + step + " within " + timeoutSeconds + " s");
    });
    return pending.future();
  }

  /** Sends one command line and waits for its reply. */
  Future<SmtpReply> command(String line, int timeoutSeconds) {
    return command(line, timeoutSeconds, verb(line));
  }

  /** Sends one command line whose text must not be logged (credentials) and waits for its reply. */
  Future<SmtpReply> command(String line, int timeoutSeconds, String step) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    Future<SmtpReply> reply = reply(timeoutSeconds, step);
    socket.write(line + CRLF);
    return reply;
  }

  /** Writes message bytes as they are; completion is reported by {@link #writable}. */
  void write(Buffer data) {
    if (failure == null) {
      socket.write(data);
    }
  }

  /**
   * Completes once the socket's write queue is below its high-water mark: at once when it is,
   * else after the drain. RFC 5321 §4.5.3.2.5: a data block that the smarthost does not take
   * within the data-block timeout breaks the connection.
   */
  Future<Void> writable(int timeoutSeconds) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (!socket.writeQueueFull()) {
      return Future.succeededFuture();
    }
    Promise<Void> promise = Promise.promise();
    long timer = vertx.setTimer(timeoutSeconds * 1000L, t ->
        breakWith(RelayFailure.NO_ANSWER, "smarthost took no data for " + timeoutSeconds + " s"));
    drainWaiters.add(new DrainWaiter(promise, timer));
    return promise.future();
  }

  /**
   * RFC 3207 §4.2: after "220" to STARTTLS nothing may be buffered (that would be plaintext
   * injected ahead of the handshake), and every capability learnt before is forgotten.
   */
  Future<Void> startTls(ClientSSLOptions options, String serverName) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    if (parser.hasPartial()) {
      breakWith(RelayFailure.TLS_FAILED, "data after the 220 reply to STARTTLS");
      return Future.failedFuture(failure);
    }
    capabilities = Capabilities.NONE;
    return socket.upgradeToSsl(options, serverName)
        .<Void>transform(ar -> {
          if (ar.succeeded()) {
            tls = true;
            return Future.succeededFuture();
          }
          breakWith(RelayFailure.TLS_FAILED, "TLS handshake failed: " + ar.cause());
          return Future.failedFuture(failure);
        });
  }

  /** Closes the connection (no QUIT): the upstream transaction, if any, is dropped unfinished. */
  void close(String why) {
    breakWith(RelayFailure.CONNECTION_LOST, why);
  }

  /** RFC 5321 §4.1.1.10: QUIT politely, then close whatever the answer. */
  Future<Void> quit(int timeoutSeconds) {
    if (!usable()) {
      close("closed by the relay");
      return Future.succeededFuture();
    }
    return command("QUIT", timeoutSeconds).<Void>mapEmpty().eventually(() -> {
      close("closed after QUIT");
      return Future.succeededFuture();
    }).otherwiseEmpty();
  }

  private void onData(Buffer data) {
    List<SmtpReply> replies;
    try {
      replies = parser.feed(data);
    } catch (ReplyParser.MalformedReplyException e) {
      breakWith(RelayFailure.CONNECTION_LOST, "malformed reply: " + e.getMessage());
      return;
    }
    for (SmtpReply reply : replies) {
      if (pending == null) {
        breakWith(RelayFailure.CONNECTION_LOST, "unexpected reply: " + reply);
        return;
      }
      Promise<SmtpReply> promise = pending;
      pending = null;
      vertx.cancelTimer(replyTimer);
      replyTimer = -1;
      promise.complete(reply);
    }
  }

  private void drained() {
    while (!drainWaiters.isEmpty() && !socket.writeQueueFull()) {
      DrainWaiter waiter = drainWaiters.poll();
      vertx.cancelTimer(waiter.timer());
      waiter.promise().tryComplete();
    }
  }

  private void breakWith(SmtpReply reply, String detail) {
    if (failure != null) {
      return;
    }
    failure = new RelayFailure(reply, "connection #" + id + ": " + detail);
    LOG.debug("smarthost connection #{} broken: {}", id, detail);
    if (replyTimer != -1) {
      vertx.cancelTimer(replyTimer);
      replyTimer = -1;
    }
    if (idleTimer != -1) {
      vertx.cancelTimer(idleTimer);
      idleTimer = -1;
    }
    if (pending != null) {
      Promise<SmtpReply> promise = pending;
      pending = null;
      promise.tryFail(failure);
    }
    while (!drainWaiters.isEmpty()) {
      DrainWaiter waiter = drainWaiters.poll();
      vertx.cancelTimer(waiter.timer());
      waiter.promise().tryFail(failure);
    }
    socket.close();
    if (brokenHandler != null) {
      brokenHandler.handle(this);
    }
  }

  private static String verb(String line) {
    int space = line.indexOf(' ');
    String verb = space < 0 ? line : line.substring(0, space);
    return verb.startsWith("MAIL") || verb.startsWith("RCPT") ? line.substring(0, Math.min(line.length(), 9)) : verb;
  }
}
