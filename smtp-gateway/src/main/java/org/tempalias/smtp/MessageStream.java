package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.DataReader;
import org.tempalias.smtp.protocol.ReceivedHeader;

/**
 * The DATA phase of one transaction: judges each line ({@link DataReader}), forwards the bytes as
 * received in chunks of {@code chunkBytes} behind our Received header, and keeps at most
 * {@code windowChunks} unacknowledged: the client's input is held meanwhile, so memory is bounded
 * by the window, never by the message. What becomes of the message is the {@link Transaction}'s
 * decision; this class only tells it what it saw.
 */
final class MessageStream {
  /** First chunk's room for data when the client declared no SIZE (RFC 1870); it grows if needed. */
  private static final int FIRST_CHUNK_GUESS = 8 * 1024;
  /** Room past chunkBytes for the line that crosses it, so a full chunk is not reallocated. */
  private static final int SLACK = 1024;

  private final Transaction tx;
  private final DataChannel channel;
  private final InputControl input;
  private final DataReader reader;
  private final int chunkBytes;
  private Buffer chunk;
  private SmtpReply relayFailure;
  private boolean forwarding = true;

  MessageStream(SmtpConfig config, SessionFacts session, InputControl input, Transaction tx, DataChannel channel) {
    this.tx = tx;
    this.channel = channel;
    this.input = input;
    this.reader = new DataReader(config.maxMessageBytes(), config.maxDataLineBytes(), config.maxReceivedHeaders());
    this.chunkBytes = config.chunkBytes();
    String received = ReceivedHeader.build(session.helo(), session.clientIp(), config.hostname(), session.esmtp(),
        session.tls(), tx.smtputf8(), tx.id(), tx.singleRecipient(), ReceivedHeader.now());
    // Sized for what is likely to come (the declared SIZE, else a typical mail), not for a full
    // chunk: a zero-filled chunkBytes array for every message costs more than the message itself.
    long declared = tx.declaredSize();
    int expected = (int) Math.min(chunkBytes, declared > 0 ? declared : FIRST_CHUNK_GUESS);
    this.chunk = Buffer.buffer(received.length() + expected + SLACK).appendString(received);
    channel.onWindowOpen(() -> {
      if (!channel.windowFull()) {
        input.release();
      }
    });
    channel.onLost(reply -> {
      relayFailure = reply;
      stopForwarding();
    });
  }

  /**
   * One line of data as split at LF, without the LF.
   *
   * @return true when it was the end-of-data line: then {@link #finish()} gives the reply
   */
  boolean line(Buffer record) {
    if (reader.line(record)) {
      return true;
    }
    if (reader.failure() != null || relayFailure != null) {
      stopForwarding();
      return false;
    }
    chunk.appendBuffer(record).appendByte((byte) '\n');
    if (chunk.length() >= chunkBytes) {
      channel.chunk(chunk);
      chunk = Buffer.buffer(chunkBytes + SLACK);
      if (channel.windowFull()) {
        input.hold();
      }
    }
    return false;
  }

  void lineDropped(long droppedBytes, boolean endedWithCrLf) {
    reader.lineDropped(droppedBytes, endedWithCrLf);
    stopForwarding();
  }

  /** The final dot arrived: the rest goes out and the transaction answers. */
  Future<SmtpReply> finish() {
    SmtpReply failure = reader.failure() != null ? reader.failure() : relayFailure;
    if (failure == null && chunk.length() > 0) {
      channel.chunk(chunk);
    }
    chunk = null;
    return tx.finish(failure, reader.bytes());
  }

  long bytes() {
    return reader.bytes();
  }

  /** The message is doomed: nothing more goes upstream; the rest is read and discarded. */
  private void stopForwarding() {
    if (forwarding) {
      forwarding = false;
      chunk = Buffer.buffer(0);
      tx.refuseData(reader.failure() != null ? reader.failure().toString() : String.valueOf(relayFailure));
      input.release();
    }
  }
}
