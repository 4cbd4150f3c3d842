package org.tempalias.smtp.protocol;

import io.vertx.core.buffer.Buffer;
import org.tempalias.contract.SmtpReply;

/**
 * Judges the DATA stream line by line (lines as {@link LineInput} splits them: at LF, without the
 * LF). Pure: the caller forwards each content line with its LF.
 *
 * <p>Only CRLF "." CRLF ends the data (RFC 5321 §4.1.1.4). A line that does not end in CR (a bare
 * LF) or that holds a CR elsewhere (a bare CR) is never a line end for us; we remember it and the
 * message is refused at the end (§2.3.8), so that no "\n.\n" or "\r.\r" can split one message into
 * two downstream (SMTP smuggling, CVE-2023-51764). The data is not normalised, and it stays
 * dot-stuffed: the relay writes it through as received.
 */
public final class DataReader {
  private static final byte CR = '\r';
  private static final byte DOT = '.';
  private static final String RECEIVED = "received:";

  private final long maxBytes;
  private final int maxDataLineBytes;
  private final int maxReceived;

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
    if (atLineStart && crlf && len == 2 && record.getByte(0) == DOT) {
      return true;
    }
    bytes += len + 1L;
    if (bytes > maxBytes) {
      fail(Replies.SIZE_EXCEEDED);
    }
    if (!crlf || indexOfCr(record, len - 1) >= 0) {
      fail(Replies.BARE_CR_LF);
    }
    if (len + 1 > maxDataLineBytes) {
      fail(Replies.DATA_LINE_TOO_LONG);
    }
    if (inHeaders) {
      header(record, crlf ? len - 1 : len);
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

  private void header(Buffer record, int contentLength) {
    if (contentLength == 0) {
      inHeaders = false;
      return;
    }
    int offset = record.getByte(0) == DOT ? 1 : 0;
    if (contentLength - offset >= RECEIVED.length()) {
      for (int i = 0; i < RECEIVED.length(); i++) {
        int c = record.getByte(offset + i);
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

  private static int indexOfCr(Buffer record, int end) {
    return Bytes.indexOf(record, 0, end, CR);
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

  /** Data bytes received so far, as on the wire, without the terminator. */
  public long bytes() {
    return bytes;
  }

  public int receivedHeaders() {
    return received;
  }
}
