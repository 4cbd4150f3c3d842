package org.tempalias.smtp;

import java.util.Locale;

/**
 * One command line, split into its verb and the rest (RFC 5321 §4.1.1: verbs are case-insensitive,
 * separated from the argument by one space; we tolerate more).
 *
 * @param verb     the known verb, or {@link Verb#UNKNOWN}
 * @param argument the text after the verb, trimmed of leading spaces; "" when there is none
 */
record Command(Verb verb, String argument) {

  enum Verb {
    EHLO, HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT, VRFY, HELP, STARTTLS,
    /** Verbs we know but do not offer (RFC 5321 §4.2.4: 502). */
    NOT_IMPLEMENTED,
    UNKNOWN
  }

  private static final java.util.Set<String> NOT_OFFERED =
      java.util.Set.of("EXPN", "TURN", "ETRN", "BDAT", "AUTH", "ATRN", "SEND", "SOML", "SAML", "XCLIENT", "XFORWARD");

  /** Parses a decoded command line without its CRLF. */
  static Command parse(String line) {
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
    Verb verb;
    if (NOT_OFFERED.contains(word)) {
      verb = Verb.NOT_IMPLEMENTED;
    } else {
      try {
        verb = word.isEmpty() ? Verb.UNKNOWN : Verb.valueOf(word);
      } catch (IllegalArgumentException e) {
        verb = Verb.UNKNOWN;
      }
      if (verb == Verb.NOT_IMPLEMENTED) {
        verb = Verb.UNKNOWN;
      }
    }
    return new Command(verb, argument);
  }

  private static String stripTrailing(String s) {
    int end = s.length();
    while (end > 0 && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
      end--;
    }
    return s.substring(0, end);
  }
}
