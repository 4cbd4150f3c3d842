package org.tempalias.smtp.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import org.tempalias.contract.SmtpReply;

/**
 * One command line, split into its verb and the rest (RFC 5321 §4.1.1: verbs are case-insensitive,
 * separated from the argument by one space; we tolerate more).
 *
 * @param verb     the known verb, {@link Verb#UNKNOWN}, or {@link Verb#INVALID} for a line that is
 *                 not a command at all (then {@code error} says why)
 * @param argument the text after the verb, trimmed of spaces; "" when there is none
 * @param error    the reply to a line that could not be decoded, else null
 */
public record Command(Verb verb, String argument, SmtpReply error) {

  public enum Verb {
    EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, HELP, STARTTLS,
    /** Verbs we know but do not offer (RFC 5321 §4.2.4: 502). */
    NOT_IMPLEMENTED,
    UNKNOWN,
    /** Not a command line: too long, not ending in CRLF, not UTF-8, or with control characters. */
    INVALID
  }

  private static final Set<String> NOT_OFFERED =
      Set.of("EXPN", "TURN", "ETRN", "BDAT", "AUTH", "ATRN", "SEND", "SOML", "SAML", "XCLIENT", "XFORWARD");

  /**
   * Decodes one line as split at LF (without the LF). A command line must end in CRLF
   * (RFC 5321 §2.3.8), fit {@code maxLineBytes} with its LF, be UTF-8 (RFC 6531) and hold no
   * control character but TAB: nothing else can reach a parser or, later, an upstream command.
   */
  public static Command decode(Buffer record, int maxLineBytes) {
    int len = record.length();
    if (len + 1 > maxLineBytes) {
      return invalid(Replies.LINE_TOO_LONG);
    }
    if (len == 0 || record.getByte(len - 1) != '\r') {
      return invalid(Replies.BARE_LF_COMMAND);
    }
    byte[] bytes = record.getBytes(0, len - 1);
    String line;
    if (isAscii(bytes)) {
      // The common case: ASCII decodes to itself, no decoder needed.
      line = new String(bytes, StandardCharsets.ISO_8859_1);
    } else {
      try {
        line = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes))
            .toString();
      } catch (CharacterCodingException e) {
        return invalid(Replies.SYNTAX);
      }
    }
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c < 32 && c != '\t' || c == 127) {
        return invalid(Replies.SYNTAX);
      }
    }
    return parse(line);
  }

  /** Parses a decoded command line without its CRLF. */
  public static Command parse(String line) {
    int end = 0;
    while (end < line.length() && line.charAt(end) != ' ' && line.charAt(end) != '\t') {
      end++;
    }
    String word = line.substring(0, end).toUpperCase(Locale.ROOT);
    int start = end;
    while (start < line.length() && (line.charAt(start) == ' ' || line.charAt(start) == '\t')) {
      start++;
    }
    String argument = stripTrailing(line.substring(start));
    return new Command(verbOf(word), argument, null);
  }

  /** The first word of the argument (the name in EHLO/HELO), "" when there is none. */
  public String firstWord() {
    int end = 0;
    while (end < argument.length() && argument.charAt(end) != ' ' && argument.charAt(end) != '\t') {
      end++;
    }
    return argument.substring(0, end);
  }

  private static Verb verbOf(String word) {
    if (NOT_OFFERED.contains(word)) {
      return Verb.NOT_IMPLEMENTED;
    }
    if (word.isEmpty()) {
      return Verb.UNKNOWN;
    }
    try {
      Verb verb = Verb.valueOf(word);
      return verb == Verb.NOT_IMPLEMENTED || verb == Verb.INVALID ? Verb.UNKNOWN : verb;
    } catch (IllegalArgumentException e) {
      return Verb.UNKNOWN;
    }
  }

  private static Command invalid(SmtpReply why) {
    return new Command(Verb.INVALID, "", why);
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(0, end);
  }
}
