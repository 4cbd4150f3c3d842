package org.tempalias.smtp.protocol;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Builds the trace header we prepend (RFC 5321 §4.4, RFC 5322 §3.6.7), CRLF line endings. */
public final class ReceivedHeader {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT);

  /** The date text of the current second, shared: formatting it for every message is wasted work. */
  private record Stamp(long epochSecond, String text) {}

  private static volatile Stamp stamp = new Stamp(Long.MIN_VALUE, "");

  private ReceivedHeader() {}

  /** RFC 5322 §3.3 date-time of now, in the JVM's zone, to the second. */
  public static String now() {
    long second = Math.floorDiv(System.currentTimeMillis(), 1000L);
    Stamp s = stamp;
    if (s.epochSecond() != second) {
      s = new Stamp(second, DATE.format(ZonedDateTime.ofInstant(Instant.ofEpochSecond(second), ZoneId.systemDefault())));
      stamp = s;
    }
    return s.text();
  }

  /**
   * @param helo      the name the client gave in EHLO/HELO (sanitised here: it is client input)
   * @param clientIp  the client's address
   * @param esmtp     whether the client used EHLO
   * @param tls       whether the session runs over TLS
   * @param smtputf8  whether the transaction uses SMTPUTF8
   * @param recipient the single recipient for the "for" clause, null when there are several
   * @param date      the date-time as it goes into the header, see {@link #now()}
   */
  public static String build(String helo, String clientIp, String hostname, boolean esmtp, boolean tls,
      boolean smtputf8, String transactionId, String recipient, String date) {
    // RFC 3848 protocol names, RFC 6531 §4.3 for UTF8SMTP.
    String with = (smtputf8 ? "UTF8SMTP" : esmtp ? "ESMTP" : "SMTP") + (tls && esmtp ? "S" : "");
    StringBuilder sb = new StringBuilder("Received: from ")
        .append(sanitise(helo))
        .append(" ([")
        .append(sanitise(clientIp))
        .append("])\r\n\tby ")
        .append(hostname)
        .append(" (tempalias) with ")
        .append(with)
        .append(" id ")
        .append(transactionId);
    if (recipient != null) {
      sb.append("\r\n\tfor <").append(sanitise(recipient)).append('>');
    }
    return sb.append("; ").append(date).append("\r\n").toString();
  }

  /** Keeps printable ASCII except characters that would end a token or a comment early. */
  public static String sanitise(String s) {
    if (s == null || s.isEmpty()) {
      return "unknown";
    }
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length() && sb.length() < 255; i++) {
      char c = s.charAt(i);
      sb.append(c > 32 && c < 127 && c != '(' && c != ')' && c != ';' && c != '\\' ? c : '?');
    }
    return sb.toString();
  }
}
