package org.tempalias.smtp.protocol;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import org.tempalias.contract.SmtpReply;

/**
 * Judges the DATA stream: one line at a time as {@link LineInput} splits them (at LF, without
 * the LF), or the complete lines of a read at once ({@link #lines}). Pure: the caller forwards the
 * content lines with their LFs.
 *
 * <p>Only CRLF "." CRLF ends the data (RFC 5321 §4.1.1.4). A line that does not end in CR (a bare
 * LF) or that holds a CR elsewhere (a bare CR) is never a line end for us; we remember it and the
 * message is refused at the end (§2.3.8), so that no "\n.\n" or "\r.\r" can split one message into
 * two downstream (SMTP smuggling, CVE-2023-51764). The data is not normalised, and it stays
 * dot-stuffed: the relay writes it through as received.
 */
public final class DataReader {
  private static final byte CR = '\r';
  private static final byte LF = '\n';
  private static final byte DOT = '.';
  private static final String RECEIVED = "received:";

  private final long maxBytes;
  private final int maxDataLineBytes;
  private final int maxReceived;

  private boolean ended;
  private boolean atLineStart = true;
  private boolean inHeaders = true;
  private long bytes;
  private int received;
  private SmtpReply failure;

  public DataReader(long maxBytes, int maxDataLineBytes, int maxReceived) {
    this.maxBytes = maxBytes;
    this.maxDataLineBytes = maxDataLineBytes;
    this.maxReceived = maxReceived;
  }

  /**
   * @param record one line without its LF
   * @return true when this was the end-of-data line (then it must not be forwarded)
   */
  public boolean line(Buffer record) {
    int len = record.length();
    boolean crlf = len > 0 && record.getByte(len - 1) == CR;
    boolean bareCr = Bytes.indexOf(record, 0, crlf ? len - 1 : len, CR) >= 0;
    return judge(record, 0, len, crlf, bareCr);
  }

  /**
   * Judges the complete lines of {@code buffer} in [from, to) by the same rules as {@link #line},
   * with one search for CR or LF over the bytes: the bulk of a large message is a few reads of
   * many lines each, and none of its lines needs to become an object. Stops after the line that
   * reaches {@code softEnd} (so the caller's chunk stays near its size), after the end-of-data
   * line, or before an incomplete line.
   *
   * @return the index after the last line judged, {@code from} when no line is complete; when
   *     {@link #ended()} the last line judged was the end-of-data line, the three bytes before the
   *     index (not to be forwarded)
   */
  public int lines(Buffer buffer, int from, int to, int softEnd) {
    ByteBuf view = Bytes.view(buffer);
    int lineStart = from;
    int scan = from;
    boolean bareCr = false;
    while (true) {
      int at = Bytes.indexOfLineBreak(view, buffer, scan, to);
      if (at < 0) {
        return lineStart;
      }
      int lf;
      boolean crlf;
      if (buffer.getByte(at) == LF) {
        lf = at;
        crlf = false;
      } else if (at + 1 == to) {
        return lineStart;
      } else if (buffer.getByte(at + 1) == LF) {
        lf = at + 1;
        crlf = true;
      } else {
        bareCr = true;
        scan = at + 1;
        continue;
      }
      boolean end = judge(buffer, lineStart, lf, crlf, bareCr);
      lineStart = lf + 1;
      if (end) {
        return lineStart;
      }
      scan = lineStart;
      bareCr = false;
      if (lineStart >= softEnd) {
        return lineStart;
      }
    }
  }

  /** One line, [start, end) of {@code buffer} without its LF. */
  private boolean judge(Buffer buffer, int start, int end, boolean crlf, boolean bareCr) {
    int len = end - start;
    if (atLineStart && crlf && len == 2 && buffer.getByte(start) == DOT) {
      ended = true;
      return true;
    }
    bytes += len + 1L;
    if (bytes > maxBytes) {
      fail(Replies.SIZE_EXCEEDED);
    }
    if (!crlf || bareCr) {
      fail(Replies.BARE_CR_LF);
    }
    if (len + 1 > maxDataLineBytes) {
      fail(Replies.DATA_LINE_TOO_LONG);
    }
    if (inHeaders) {
      header(buffer, start, crlf ? len - 1 : len);
    }
    atLineStart = crlf;
    return false;
  }

  /**
   * A line grew past the parser's bound before its LF arrived; its bytes were dropped.
   *
   * @param droppedBytes how many bytes of the line were dropped, including the LF
   * @param endedWithCrLf whether the dropped line ended in CRLF
   */
  public void lineDropped(long droppedBytes, boolean endedWithCrLf) {
    bytes += droppedBytes;
    fail(bytes > maxBytes ? Replies.SIZE_EXCEEDED : Replies.DATA_LINE_TOO_LONG);
    atLineStart = endedWithCrLf;
    inHeaders = false;
  }

  private void header(Buffer buffer, int start, int contentLength) {
    if (contentLength == 0) {
      inHeaders = false;
      return;
    }
    int offset = buffer.getByte(start) == DOT ? 1 : 0;
    if (contentLength - offset >= RECEIVED.length()) {
      for (int i = 0; i < RECEIVED.length(); i++) {
        int c = buffer.getByte(start + offset + i);
        if (Character.toLowerCase(c) != RECEIVED.charAt(i)) {
          return;
        }
      }
      received++;
      if (received > maxReceived) {
        fail(Replies.MAIL_LOOP);
      }
    }
  }

  private void fail(SmtpReply reply) {
    if (failure == null) {
      failure = reply;
    }
  }

  /** The reason the message must be refused, null while it is fine. */
  public SmtpReply failure() {
    return failure;
  }

  /** Whether the end-of-data line was judged. */
  public boolean ended() {
    return ended;
  }

  /** Data bytes received so far, as on the wire, without the terminator. */
  public long bytes() {
    return bytes;
  }

  public int receivedHeaders() {
    return received;
  }
}
