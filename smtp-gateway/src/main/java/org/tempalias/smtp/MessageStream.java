package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tempalias.contract.SettleRequest.Settlement;
import org.tempalias.contract.SmtpReply;

/**
 * The DATA phase of one transaction: judges each line ({@link DataReader}), forwards the bytes as
 * received in chunks of {@code chunkBytes} behind our Received header, keeps at most
 * {@code windowChunks} unacknowledged (the client socket is paused meanwhile, so memory is bounded
 * by the window, never by the message), and at the end turns the relay's answer into the client's
 * final reply and settles the claims.
 */
final class MessageStream {
  private static final Logger LOG = LoggerFactory.getLogger(MessageStream.class);
  /** First chunk's room for data when the client declared no SIZE (RFC 1870); it grows if needed. */
  private static final int FIRST_CHUNK_GUESS = 8 * 1024;
  /** Room past chunkBytes for the line that crosses it, so a full chunk is not reallocated. */
  private static final int SLACK = 1024;

  private final Session session;
  private final Transaction tx;
  private final RelayLink link;
  private final DataReader reader;
  private final int chunkBytes;
  private Buffer chunk;
  private SmtpReply relayFailure;
  private boolean forwarding = true;
  private boolean finishing;

  MessageStream(Session session, Transaction tx) {
    this.session = session;
    this.tx = tx;
    this.link = tx.relay;
    SmtpConfig config = session.config;
    this.reader = new DataReader(config.maxMessageBytes(), config.maxDataLineBytes(), config.maxReceivedHeaders());
    this.chunkBytes = config.chunkBytes();
    String single = tx.claims.size() == 1 ? tx.claims.values().iterator().next().aliasAddress() : null;
    String received = ReceivedHeader.build(session.helo, session.clientIp, config.hostname(), session.esmtp,
        session.tls, tx.params.smtputf8(), tx.id, single, ReceivedHeader.now());
    // Sized for what is likely to come (the declared SIZE, else a typical mail), not for a full
    // chunk: a zero-filled chunkBytes array for every message costs more than the message itself.
    long declared = tx.params.size();
    int expected = (int) Math.min(chunkBytes, declared > 0 ? declared : FIRST_CHUNK_GUESS);
    this.chunk = Buffer.buffer(received.length() + expected + SLACK).appendString(received);
    link.onWindowOpen(() -> {
      if (!link.windowFull()) {
        session.windowFull(false);
      }
    });
    link.onLost(reply -> {
      relayFailure = reply;
      stopForwarding();
    });
  }

  void line(Buffer record) {
    if (reader.line(record)) {
      finish();
      return;
    }
    if (reader.failure() != null || relayFailure != null) {
      stopForwarding();
      return;
    }
    chunk.appendBuffer(record).appendByte((byte) '\n');
    if (chunk.length() >= chunkBytes) {
      link.chunk(chunk);
      chunk = Buffer.buffer(chunkBytes + SLACK);
      if (link.windowFull()) {
        session.windowFull(true);
      }
    }
  }

  void lineDropped(long droppedBytes, boolean endedWithCrLf) {
    reader.lineDropped(droppedBytes, endedWithCrLf);
    stopForwarding();
  }

  /** The message is doomed: nothing more goes upstream; the rest is read and discarded. */
  private void stopForwarding() {
    if (forwarding) {
      forwarding = false;
      chunk = null;
      link.abort();
      session.windowFull(false);
    }
  }

  private void finish() {
    finishing = true;
    session.metrics.bytes(reader.bytes());
    SmtpReply failure = reader.failure() != null ? reader.failure() : relayFailure;
    Future<SmtpReply> upstream;
    if (failure != null) {
      link.abort();
      upstream = Future.succeededFuture(failure);
    } else {
      if (chunk.length() > 0) {
        link.chunk(chunk);
      }
      chunk = null;
      upstream = link.end();
    }
    boolean ours = failure != null;
    session.inFlight(upstream.map(reply -> {
      Settlement settlement = reply.isPositive() ? Settlement.USED : Settlement.RELEASED;
      tx.end(settlement);
      String outcome = reply.isPositive() ? "delivered" : reply.isTransient() ? "deferred" : "refused";
      session.metrics.data(outcome, reply.code());
      LOG.info("{} {} from=<{}> aliases={} bytes={}: {} by {} ({}), claims {}", session.clientIp, tx.id,
          tx.from.raw(), tx.aliases(), reader.bytes(), outcome, ours ? "gateway" : "smarthost", reply, settlement);
      session.messageDone();
      return masked(reply);
    }));
  }

  private SmtpReply masked(SmtpReply reply) {
    SmtpReply out = reply;
    for (Transaction.Claim claim : tx.claims.values()) {
      out = Recipients.masked(out, claim);
    }
    return out;
  }

  /**
   * The client went away. Before the end of data nothing is delivered: abort and release. Once END
   * is on its way the smarthost may already have the message, so its answer settles the claims.
   *
   * @return true when the pending END settles the transaction
   */
  boolean clientGone() {
    if (finishing) {
      return true;
    }
    session.metrics.data("aborted", 0);
    LOG.info("{} {} from=<{}> aliases={} bytes={}: client gone during DATA, nothing delivered",
        session.clientIp, tx.id, tx.from.raw(), tx.aliases(), reader.bytes());
    return false;
  }
}
