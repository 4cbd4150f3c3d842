package org.tempalias.smtp;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.util.EnumSet;
import java.util.Set;

/**
 * The read side of a session: a {@link RecordParser} splitting at LF (each record is one line
 * without its LF, so the session can see CRLF versus bare LF), with holds that stop reading (a
 * command in flight, a full relay window) and a bound on the bytes of one line that is kept.
 */
final class LineInput {
  enum Hold { COMMAND, WINDOW }

  interface Listener {
    void line(Buffer record);

    /** A line passed the bound; it was dropped up to and including its LF. */
    void lineDropped(long droppedBytes, boolean endedWithCrLf);

    void activity();

    void failed(Throwable err);
  }

  private final NetSocket socket;
  private final Listener listener;
  private final Set<Hold> holds = EnumSet.noneOf(Hold.class);
  private RecordParser parser;
  private int maxLineBytes;
  private boolean closed;

  LineInput(NetSocket socket, Listener listener) {
    this.socket = socket;
    this.listener = listener;
  }

  /** Starts reading with a fresh parser: anything an old one had buffered is gone. */
  void attach(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    holds.clear();
    parser = RecordParser.newDelimited("\n", socket);
    parser.maxRecordSize(maxLineBytes);
    parser.exceptionHandler(this::parserFailed);
    parser.handler(record -> {
      listener.activity();
      listener.line(record);
    });
  }

  /**
   * Stops parsing and throws away what was buffered or is still queued in the socket, as after
   * STARTTLS (RFC 3207 §4.2). {@link #attach} starts again.
   */
  void detachDiscarding(java.util.function.IntConsumer discarded) {
    parser = null;
    socket.handler(buf -> discarded.accept(buf.length()));
    socket.resume();
  }

  void maxLineBytes(int bytes) {
    maxLineBytes = bytes;
    if (parser != null) {
      parser.maxRecordSize(bytes);
    }
  }

  void hold(Hold hold) {
    holds.add(hold);
    if (parser != null) {
      parser.pause();
    }
  }

  void release(Hold hold) {
    holds.remove(hold);
    if (holds.isEmpty() && parser != null && !closed) {
      parser.resume();
    }
  }

  boolean held() {
    return !holds.isEmpty();
  }

  void close() {
    closed = true;
  }

  private void parserFailed(Throwable err) {
    if (!(err instanceof IllegalStateException) || parser == null) {
      listener.failed(err);
      return;
    }
    if (held()) {
      // The socket is paused: what is buffered is bounded by one read, and is pipelined input
      // waiting for its turn, not necessarily one long line.
      return;
    }
    // RFC 5321 §4.5.3.1.4 / §4.5.3.1.6: a line past our bound. Drop it up to its LF and go on.
    parser = null;
    long[] dropped = {maxLineBytes};
    boolean[] lastCr = {false};
    socket.handler(buf -> {
      listener.activity();
      for (int i = 0; i < buf.length(); i++) {
        if (buf.getByte(i) == '\n') {
          boolean crlf = i > 0 ? buf.getByte(i - 1) == '\r' : lastCr[0];
          attach(maxLineBytes);
          listener.lineDropped(dropped[0] + i + 1, crlf);
          if (!closed) {
            parser.handle(buf.slice(i + 1, buf.length()));
          }
          return;
        }
      }
      dropped[0] += buf.length();
      lastCr[0] = buf.length() > 0 && buf.getByte(buf.length() - 1) == '\r';
    });
  }
}
