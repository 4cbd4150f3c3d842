package org.tempalias.smtp;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.tempalias.contract.SmtpReply;
import org.tempalias.smtp.protocol.DataReader;
import org.tempalias.smtp.protocol.ReceivedHeader;

/**
 * The DATA phase of one transaction: judges each line ({@link DataReader}), forwards the bytes as
 * received in chunks of {@code chunkBytes} behind our Received header (the last, partial one goes
 * with the transaction's END), and keeps at most {@code windowChunks} unacknowledged: the client's
 * input is held meanwhile, so memory is bounded by the window, never by the message. What becomes of the message is the {@link Transaction}'s
 * decision; this class only tells it what it saw.
 */
final class MessageStream {
  /** First chunk's room for data when the client declared no SIZE (RFC 1870); it grows if needed. */
  private static final int FIRST_CHUNK_GUESS = 8 * 1024;
  /** Room past chunkBytes for the line that crosses it, so a full chunk is not reallocated. */
  private static final int SLACK = 1024;
  /** ".\r\n" (RFC 5321 §4.1.1.4). */
  private static final int TERMINATOR_BYTES = 3;

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
   * One line of data as split at LF, without the LF (a line that spanned reads).
   *
   * @return true when it was the end-of-data line: then {@link #finish()} gives the reply
   */
  boolean line(Buffer record) {
    if (reader.line(record)) {
      return true;
    }
    if (forwardable()) {
      chunk.appendBuffer(record).appendByte((byte) '\n');
      sendIfFull();
    }
    return false;
  }

  /**
   * The complete lines in [from, to) of one read, judged and appended in runs of up to a chunk;
   * stops when the window fills (the input is held then) or at the end of data ({@link #ended()}).
   *
   * @return the index after what was taken
   */
  int lines(Buffer buffer, int from, int to) {
    int taken = from;
    while (taken < to && !reader.ended()) {
      int end = reader.lines(buffer, taken, to, taken + Math.max(1, chunkBytes - chunk.length()));
      if (end == taken) {
        break;
      }
      int contentEnd = reader.ended() ? end - TERMINATOR_BYTES : end;
      boolean held = false;
      if (forwardable()) {
        chunk.appendBuffer(buffer, taken, contentEnd - taken);
        held = sendIfFull();
      }
      taken = end;
      if (held) {
        break;
      }
    }
    return taken;
  }

  /** Whether the end-of-data line was seen. */
  boolean ended() {
    return reader.ended();
  }

  /** False once the message is doomed (then it stops forwarding, see {@link #stopForwarding}). */
  private boolean forwardable() {
    if (reader.failure() != null || relayFailure != null) {
      stopForwarding();
      return false;
    }
    return forwarding;
  }

  /** Sends a full chunk; true when the window is full now and the input held. */
  private boolean sendIfFull() {
    if (chunk.length() < chunkBytes) {
      return false;
    }
    channel.chunk(chunk);
    chunk = Buffer.buffer(chunkBytes + SLACK);
    if (channel.windowFull()) {
      input.hold();
      return true;
    }
    return false;
  }

  void lineDropped(long droppedBytes, boolean endedWithCrLf) {
    reader.lineDropped(droppedBytes, endedWithCrLf);
    stopForwarding();
  }

  /**
   * The final dot arrived: the transaction answers. The rest of the data goes with its END rather
   * than as a chunk of its own (a small message is then one request to the relay, not two).
   */
  Future<SmtpReply> finish() {
    SmtpReply failure = reader.failure() != null ? reader.failure() : relayFailure;
    Buffer last = failure == null ? chunk : Buffer.buffer(0);
    chunk = null;
    return tx.finish(failure, reader.bytes(), last);
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
