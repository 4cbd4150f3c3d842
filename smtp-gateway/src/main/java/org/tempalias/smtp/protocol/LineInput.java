package org.tempalias.smtp.protocol;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntConsumer;

/**
 * The read side of a session: splits what the socket delivers at LF (each line without its LF, so
 * the session can see CRLF versus bare LF), with holds that stop reading (a command in flight, a
 * full relay window) and a bound on the bytes of one line that is kept.
 *
 * <p>A line that arrived within one read is handed out as a slice of that read, not a copy. In data
 * mode the lines are not split at all: a 1 MiB message is some 13000 lines, so the listener gets
 * the rest of each read and takes the complete lines itself. Only a line spanning reads is copied
 * together, and only what is left behind a hold is copied when more arrives. The listener must not
 * modify what it is given. (Vert.x's RecordParser copies every record and appends every read to
 * what it keeps.)
 */
public final class LineInput {
  public enum Hold { COMMAND, WINDOW }

  public interface Listener {
    void line(Buffer record);

    /**
     * In {@linkplain #dataMode data mode}: what arrived, [from, to) of one read, for the listener
     * to take complete lines from. Lines are not split for it; one that began in an earlier read
     * comes through {@link #line} first.
     *
     * @return the index after what it took; the rest is kept (an incomplete line, a hold, or what
     *     follows the data, split into lines again once data mode ends)
     */
    int data(Buffer buffer, int from, int to);

    /** A line passed the bound; it was dropped up to and including its LF. */
    void lineDropped(long droppedBytes, boolean endedWithCrLf);

    void activity();

    void failed(Throwable err);
  }

  private static final byte LF = '\n';
  private static final byte CR = '\r';

  private final NetSocket socket;
  private final Listener listener;
  private final Set<Hold> holds = EnumSet.noneOf(Hold.class);
  private int maxLineBytes;
  private boolean attached;
  private boolean closed;
  private boolean ended;
  private boolean splitting;
  private boolean socketPaused;
  private boolean dataMode;

  /** The start of an unterminated line from earlier reads (our own copy); it precedes {@link #buff}. */
  private Buffer carry;
  /** Received bytes not yet handed out, from {@link #start}; no LF before {@link #scan}. */
  private Buffer buff;
  private ByteBuf buffView;
  private int start;
  private int scan;
  /** Whether {@link #buff} is our own copy (then more may be appended to it) rather than a read. */
  private boolean owned;

  /** Dropping a line past the bound up to its LF (RFC 5321 §4.5.3.1.4, §4.5.3.1.6). */
  private boolean dropping;
  private long dropped;
  private boolean droppedLastCr;

  public LineInput(NetSocket socket, Listener listener) {
    this.socket = socket;
    this.listener = listener;
  }

  /** Starts reading afresh: anything buffered before is gone. */
  public void attach(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    holds.clear();
    forget();
    dataMode = false;
    dropping = false;
    ended = false;
    attached = true;
    socket.handler(this::received);
    socket.endHandler(v -> {
      ended = true;
      split();
    });
    socket.exceptionHandler(listener::failed);
  }

  /**
   * Stops splitting and throws away what was buffered or is still queued in the socket, as after
   * STARTTLS (RFC 3207 §4.2). {@link #attach} starts again.
   */
  public void detachDiscarding(IntConsumer discarded) {
    attached = false;
    forget();
    socket.handler(buf -> discarded.accept(buf.length()));
    socketPaused = false;
    socket.resume();
  }

  /** From the next line on, runs of lines go to {@link Listener#data}, with this bound on one line. */
  public void dataMode(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    dataMode = true;
  }

  /** From the next line on, lines go to {@link Listener#line} one by one. */
  public void commandMode(int maxLineBytes) {
    this.maxLineBytes = maxLineBytes;
    dataMode = false;
  }

  public void hold(Hold hold) {
    holds.add(hold);
    if (attached && !dropping && !socketPaused) {
      socketPaused = true;
      socket.pause();
    }
  }

  public void release(Hold hold) {
    holds.remove(hold);
    if (holds.isEmpty() && attached && !dropping && !closed) {
      split();
    }
  }

  public boolean held() {
    return !holds.isEmpty();
  }

  public void close() {
    closed = true;
  }

  private void forget() {
    carry = null;
    buff = null;
    buffView = null;
    start = 0;
    scan = 0;
    owned = false;
  }

  private void received(Buffer data) {
    if (dropping) {
      drop(data);
      return;
    }
    append(data);
    split();
    if (attached && !dropping && !held() && pendingBytes() > maxLineBytes) {
      // A line past our bound. While held, what is buffered is pipelined input waiting for its
      // turn (the socket is paused, so it is bounded by one read), not necessarily one long line.
      // What is kept may end in the CR of the line's CRLF, its LF coming with the next read.
      long pending = pendingBytes();
      boolean lastCr = lastPendingByte() == CR;
      forget();
      dropping = true;
      dropped = pending;
      droppedLastCr = lastCr;
    }
  }

  private void append(Buffer data) {
    if (data.length() == 0) {
      return;
    }
    if (buff == null) {
      buff = data;
      buffView = Bytes.view(data);
      start = 0;
      scan = 0;
      owned = false;
      return;
    }
    // Lines wait behind a hold and more arrived: keep them together (a read at most, see above).
    int rest = buff.length() - start;
    if (!owned || start > 0) {
      Buffer merged = Buffer.buffer(rest + data.length()).appendBuffer(buff, start, rest);
      scan -= start;
      start = 0;
      buff = merged;
      owned = true;
    }
    buff.appendBuffer(data);
    buffView = Bytes.view(buff);
  }

  /** Hands out every complete line while nothing holds; then reads on. */
  private void split() {
    if (splitting) {
      return;
    }
    splitting = true;
    try {
      boolean active = false;
      while (attached && !dropping && holds.isEmpty() && buff != null) {
        if (dataMode && carry == null) {
          if (!active) {
            active = true;
            listener.activity();
          }
          Buffer run = buff;
          int from = start;
          int taken = listener.data(run, from, run.length());
          if (buff == null) {
            continue; // forgotten meanwhile (closed or attached afresh)
          }
          if (taken > from) {
            // Should a read have been merged in meanwhile, the merged buffer begins where the
            // run did (see append).
            start = buff == run ? taken : taken - from;
            scan = start;
            if (start == buff.length()) {
              buff = null;
              buffView = null;
            }
            continue;
          }
          // No complete line: the search below finds no LF and keeps the rest.
        }
        int lf = Bytes.indexOf(buffView, buff, scan, buff.length(), LF);
        if (lf < 0) {
          scan = buff.length();
          break;
        }
        Buffer line;
        if (carry != null) {
          line = carry.appendBuffer(buff, start, lf - start);
          carry = null;
        } else {
          line = buff.slice(start, lf);
        }
        start = lf + 1;
        scan = start;
        if (start == buff.length()) {
          buff = null;
          buffView = null;
        }
        if (!active) {
          active = true;
          listener.activity();
        }
        listener.line(line);
      }
      if (!attached || dropping || !holds.isEmpty()) {
        return;
      }
      if (buff != null) {
        // An unterminated line: keep its bytes, the read it came in is not kept.
        int rest = buff.length() - start;
        carry = (carry == null ? Buffer.buffer(Math.max(rest, 128)) : carry).appendBuffer(buff, start, rest);
        buff = null;
        buffView = null;
      }
      if (ended && carry != null && !dataMode) {
        // The client closed its side: what it sent last is a command without its LF. In DATA an
        // unterminated line is no end of data (RFC 5321 §4.1.1.4): the message dies with the
        // connection.
        Buffer line = carry;
        carry = null;
        listener.activity();
        listener.line(line);
      }
      if (socketPaused && attached && holds.isEmpty()) {
        socketPaused = false;
        socket.resume();
      }
    } finally {
      splitting = false;
    }
  }

  private int lastPendingByte() {
    if (buff != null && buff.length() > start) {
      return buff.getByte(buff.length() - 1);
    }
    return carry != null && carry.length() > 0 ? carry.getByte(carry.length() - 1) : -1;
  }

    private int pendingBytes() {
    return (carry == null ? 0 : carry.length()) + (buff == null ? 0 : buff.length() - start);
  }

  private void drop(Buffer data) {
    listener.activity();
    int len = data.length();
    int lf = Bytes.indexOf(data, 0, len, LF);
    if (lf < 0) {
      dropped += len;
      droppedLastCr = len > 0 && data.getByte(len - 1) == CR;
      return;
    }
    boolean crlf = lf > 0 ? data.getByte(lf - 1) == CR : droppedLastCr;
    long total = dropped + lf + 1;
    boolean inData = dataMode;
    attach(maxLineBytes);
    dataMode = inData;
    listener.lineDropped(total, crlf);
    if (!closed) {
      received(data.slice(lf + 1, len));
    }
  }
}
