package org.tempalias.smtp;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.TimeUnit;
import org.tempalias.contract.SmtpReply;

/**
 * The server side of STARTTLS (RFC 3207): writes the 220, then puts TLS under the socket.
 *
 * <p>Why not {@code NetSocket.upgradeToSsl}: in Vert.x 5.0.7 only the first of several verticle
 * instances sharing a port has the TLS context manager; sockets accepted by any other instance
 * fail the upgrade with a NullPointerException ({@code NetSocketImpl.sslUpgrade}), so with one
 * gateway instance per core every second STARTTLS hung. This does what {@code upgradeToSsl}
 * does, with a Netty {@link SslContext} built once per gateway instance from the configured PEM
 * pair: stop reading, write the 220, and once it is on its way add the {@link SslHandler} at the
 * head of the pipeline before reading again, so the client's ClientHello (which answers our 220)
 * is the first thing the handler sees.
 */
final class StartTls {
  /** A client that does not finish the handshake within this time is dropped. */
  private static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

  private final SslContext context;

  private StartTls(SslContext context) {
    this.context = context;
  }

  /** Reads the key pair off the event loop (it is file I/O); fails with a message naming the keys. */
  static Future<StartTls> load(Vertx vertx, String certPath, String keyPath) {
    PemKeyCertOptions pem = new PemKeyCertOptions().setCertPath(certPath).setKeyPath(keyPath);
    return vertx.executeBlocking(() -> {
      try {
        return new StartTls(SslContextBuilder.forServer(pem.getKeyManagerFactory(vertx))
            .sslProvider(SslProvider.JDK)
            .build());
      } catch (Exception e) {
        throw new IllegalArgumentException("smtp.tlsCert/smtp.tlsKey: cannot use " + certPath + " and " + keyPath
            + ": " + e.getMessage(), e);
      }
    });
  }

  /**
   * Writes {@code ready} in plaintext and starts TLS. The caller has stopped consuming the socket's
   * plaintext (RFC 3207 §4.2: what came after STARTTLS is discarded). {@code tlsInPlace} runs once
   * the TLS handler is in the pipeline and before anything more is read: from then on whatever
   * reaches the socket's handler was decrypted, and a client may send its first command in the
   * same packet as its last handshake message, so the caller must start keeping input there.
   * Completes when the handshake is done, on the caller's context; fails when it fails or times
   * out.
   */
  Future<Void> upgrade(NetSocket socket, SmtpReply ready, Runnable tlsInPlace) {
    Context session = Vertx.currentContext();
    Channel channel = ((NetSocketInternal) socket).channelHandlerContext().channel();
    channel.config().setAutoRead(false);
    Promise<Void> done = Promise.promise();
    socket.write(Buffer.buffer(ready.toWire())).onComplete(written -> {
      if (written.failed()) {
        done.fail(written.cause());
        return;
      }
      SslHandler handler = context.newHandler(channel.alloc());
      handler.setHandshakeTimeout(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      channel.pipeline().addFirst("ssl", handler);
      tlsInPlace.run();
      // Netty calls back on the channel's thread but outside any Vert.x context: hand it back.
      handler.handshakeFuture().addListener(f -> session.runOnContext(v -> {
        if (f.isSuccess()) {
          done.tryComplete();
        } else {
          done.tryFail(f.cause());
        }
      }));
      channel.config().setAutoRead(true);
    });
    return done.future();
  }
}
