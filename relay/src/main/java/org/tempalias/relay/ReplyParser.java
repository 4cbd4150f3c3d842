package org.tempalias.relay;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tempalias.contract.SmtpReply;

/**
 * Turns the bytes a smarthost sends into {@link SmtpReply}s, whatever the packet boundaries:
 * a reply may arrive byte by byte, or several replies in one buffer. Pure: no I/O, no Vert.x
 * context.
 *
 * <p>RFC 5321 §4.2.1: a multi-line reply is "code-text" lines followed by one "code SP text"
 * line, all with the same code; a bare "code" line is accepted as a last line. RFC 2034 §4:
 * an enhanced status code may start the text of each line; it is taken from the first line and
 * stripped from every line that repeats it. The text lines are joined with "\n".
 */
final class ReplyParser {
  /** RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; be lenient but bounded. */
  static final int MAX_LINE = 8192;
  /** A smarthost that sends more lines than this in one reply is broken or hostile. */
  static final int MAX_LINES = 1000;

  private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?: |$)");

  /** The bytes a smarthost sent were not an SMTP reply. */
  static final class MalformedReplyException extends Exception {
    MalformedReplyException(String message) {
      super(message);
    }
  }

  /** The current line so far (a plain array: ByteArrayOutputStream takes a lock per byte). */
  private byte[] line = new byte[128];
  private int lineLength;
  private final List<String> texts = new ArrayList<>();
  private int code = -1;

  /** Feeds bytes; returns the replies they completed, in order (often none). */
  List<SmtpReply> feed(Buffer data) throws MalformedReplyException {
    List<SmtpReply> replies = new ArrayList<>(1);
    for (int i = 0; i < data.length(); i++) {
      byte b = data.getByte(i);
      if (b == '\n') {
        SmtpReply reply = endLine();
        if (reply != null) {
          replies.add(reply);
        }
      } else {
        if (lineLength >= MAX_LINE) {
          throw new MalformedReplyException("reply line longer than " + MAX_LINE + " octets");
        }
        if (lineLength == line.length) {
          line = Arrays.copyOf(line, Math.min(MAX_LINE, line.length * 2));
        }
        line[lineLength++] = b;
      }
    }
    return replies;
  }

  /** Whether bytes of an unfinished reply are buffered (RFC 3207 §4.2: nothing may follow 220 to STARTTLS). */
  boolean hasPartial() {
    return lineLength > 0 || !texts.isEmpty();
  }

  private SmtpReply endLine() throws MalformedReplyException {
    int length = lineLength;
    lineLength = 0;
    if (length > 0 && line[length - 1] == '\r') {
      length--;
    }
    String text = new String(line, 0, length, StandardCharsets.UTF_8);
    if (text.length() < 3 || !isDigits(text)) {
      throw new MalformedReplyException("not an SMTP reply line: '" + printable(text) + "'");
    }
    int lineCode = Integer.parseInt(text.substring(0, 3));
    if (lineCode < 200 || lineCode > 599) {
      throw new MalformedReplyException("reply code out of range: " + lineCode);
    }
    if (code != -1 && lineCode != code) {
      throw new MalformedReplyException("reply code changed inside a multi-line reply: " + code + " then " + lineCode);
    }
    char separator = text.length() > 3 ? text.charAt(3) : ' ';
    if (separator != ' ' && separator != '-') {
      throw new MalformedReplyException("bad separator after reply code: '" + printable(text) + "'");
    }
    code = lineCode;
    texts.add(text.length() > 4 ? text.substring(4) : "");
    if (separator == '-') {
      if (texts.size() >= MAX_LINES) {
        throw new MalformedReplyException("reply with more than " + MAX_LINES + " lines");
      }
      return null;
    }
    SmtpReply reply = assemble(code, texts);
    code = -1;
    texts.clear();
    return reply;
  }

  private static SmtpReply assemble(int code, List<String> texts) {
    String enhanced = null;
    Matcher first = ENHANCED.matcher(texts.get(0));
    if (first.find() && first.group(1).charAt(0) == Character.forDigit(code / 100, 10)) {
      enhanced = first.group(1) + "." + first.group(2) + "." + first.group(3);
    }
    StringBuilder joined = new StringBuilder();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      if (enhanced != null && text.startsWith(enhanced)
          && (text.length() == enhanced.length() || text.charAt(enhanced.length()) == ' ')) {
        text = text.length() == enhanced.length() ? "" : text.substring(enhanced.length() + 1);
      }
      if (i > 0) {
        joined.append('\n');
      }
      joined.append(text);
    }
    return new SmtpReply(code, enhanced, joined.toString());
  }

  private static boolean isDigits(String text) {
    return Character.isDigit(text.charAt(0)) && Character.isDigit(text.charAt(1)) && Character.isDigit(text.charAt(2));
  }

  private static String printable(String text) {
    String cut = text.length() > 80 ? text.substring(0, 80) + "..." : text;
    return cut.replaceAll("[\\x00-\\x1f\\x7f]", "?");
  }
}
