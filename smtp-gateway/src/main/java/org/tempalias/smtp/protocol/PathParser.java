package org.tempalias.smtp.protocol;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the argument of MAIL and RCPT: {@code FROM:<path> params} / {@code TO:<path> params}
 * (RFC 5321 §4.1.1.2, §4.1.1.3, §4.1.2; RFC 6531 for UTF-8 mailboxes). Pure: no I/O, no policy.
 * It is deliberately lenient about forms that a policy must see and refuse (percent hack, bang
 * paths, a second {@code @}, source routes, quoted local parts, address literals): they parse, and
 * {@link MailPath} says what they are.
 */
public final class PathParser {

  /** The path and its ESMTP parameters (keywords upper case, value null for a bare keyword). */
  public record Parsed(MailPath path, Map<String, String> parameters) {}

  public static class SyntaxException extends Exception {
    SyntaxException(String message) {
      super(message, null, false, false);
    }
  }

  /** The path was fine; a parameter after it was not (555 5.5.4, not a bad-address reply). */
  public static final class ParameterException extends SyntaxException {
    ParameterException(String message) {
      super(message);
    }
  }

  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  private PathParser() {}

  /**
   * @param keyword "FROM" or "TO"
   * @param allowNull whether {@code <>} is a valid path here (MAIL only)
   */
  public static Parsed parse(String argument, String keyword, boolean allowNull) throws SyntaxException {
    String prefix = keyword + ":";
    if (argument.length() < prefix.length()
        || !argument.substring(0, prefix.length()).toUpperCase(Locale.ROOT).equals(prefix)) {
      throw new SyntaxException("expected " + prefix);
    }
    int i = prefix.length();
    // Tolerated although RFC 5321 has none: many clients send "FROM: <a@b>".
    while (i < argument.length() && argument.charAt(i) == ' ') {
      i++;
    }
    if (i >= argument.length() || argument.charAt(i) != '<') {
      throw new SyntaxException("path must be enclosed in <>");
    }
    int close = closingBracket(argument, i + 1);
    String inner = argument.substring(i + 1, close);
    String rest = argument.substring(close + 1);
    if (!rest.isEmpty() && rest.charAt(0) != ' ') {
      throw new SyntaxException("garbage after path");
    }
    MailPath path;
    if (inner.isEmpty()) {
      if (!allowNull) {
        throw new SyntaxException("null path not allowed here");
      }
      path = MailPath.NULL;
    } else {
      path = mailbox(inner);
    }
    return new Parsed(path, parameters(rest));
  }

  private static int closingBracket(String s, int from) throws SyntaxException {
    boolean inQuotes = false;
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (inQuotes && c == '\\') {
        i++;
      } else if (c == '"') {
        inQuotes = !inQuotes;
      } else if (c == '>' && !inQuotes) {
        return i;
      }
    }
    throw new SyntaxException("unterminated path");
  }

  public static MailPath mailbox(String inner) throws SyntaxException {
    boolean sourceRoute = false;
    String box = inner;
    if (box.startsWith("@")) {
      int colon = box.indexOf(':');
      if (colon < 0) {
        throw new SyntaxException("bad source route");
      }
      for (String hop : box.substring(0, colon).split(",", -1)) {
        if (hop.length() < 2 || hop.charAt(0) != '@') {
          throw new SyntaxException("bad source route");
        }
        checkDomain(hop.substring(1));
      }
      sourceRoute = true;
      box = box.substring(colon + 1);
    }
    if (box.isEmpty()) {
      throw new SyntaxException("empty mailbox");
    }
    String local;
    String domain;
    boolean quoted = box.charAt(0) == '"';
    if (quoted) {
      StringBuilder sb = new StringBuilder();
      int i = 1;
      boolean closed = false;
      for (; i < box.length(); i++) {
        char c = box.charAt(i);
        if (c == '\\') {
          if (i + 1 >= box.length() || box.charAt(i + 1) < 32 || box.charAt(i + 1) == 127) {
            throw new SyntaxException("bad quoted pair");
          }
          sb.append(box.charAt(++i));
        } else if (c == '"') {
          closed = true;
          i++;
          break;
        } else if (c < 32 || c == 127) {
          throw new SyntaxException("control character in quoted string");
        } else {
          sb.append(c);
        }
      }
      if (!closed) {
        throw new SyntaxException("unterminated quoted string");
      }
      local = sb.toString();
      if (i == box.length()) {
        domain = null;
      } else if (box.charAt(i) == '@') {
        domain = box.substring(i + 1);
      } else {
        throw new SyntaxException("expected @ after quoted local part");
      }
    } else {
      int at = box.lastIndexOf('@');
      local = at < 0 ? box : box.substring(0, at);
      domain = at < 0 ? null : box.substring(at + 1);
      checkDotString(local);
    }
    boolean literal = false;
    if (domain != null) {
      if (domain.startsWith("[")) {
        if (!domain.endsWith("]") || domain.length() < 3 || !printableAscii(domain)) {
          throw new SyntaxException("bad address literal");
        }
        literal = true;
      } else {
        checkDomain(domain);
      }
    }
    boolean nonAscii = !isAscii(box);
    return new MailPath(local, domain, box, quoted, literal, sourceRoute, nonAscii);
  }

  /**
   * A dot-string (RFC 5321 §4.1.2) extended with UTF-8 (RFC 6531 §3.3) and with '@' tolerated so
   * that "a@b@c" reaches the relay policy instead of passing as a syntax quirk.
   */
  private static void checkDotString(String local) throws SyntaxException {
    if (local.isEmpty() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      throw new SyntaxException("bad local part");
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '@' || ATEXT_SPECIALS.indexOf(c) >= 0 || c >= 0x80;
      if (!ok) {
        throw new SyntaxException("bad character in local part");
      }
    }
  }

  private static void checkDomain(String domain) throws SyntaxException {
    if (domain.isEmpty() || domain.length() > 255) {
      throw new SyntaxException("bad domain");
    }
    for (String label : domain.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        throw new SyntaxException("bad domain");
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
            || c == '-' || c >= 0x80;
        if (!ok) {
          throw new SyntaxException("bad domain");
        }
      }
    }
  }

  /** ESMTP parameters (RFC 5321 §4.1.2 esmtp-param): keyword[=value], separated by spaces. */
  public static Map<String, String> parameters(String text) throws SyntaxException {
    Map<String, String> out = new LinkedHashMap<>();
    String trimmed = text.trim();
    int from = 0;
    while (from < trimmed.length()) {
      // Tokens are separated by runs of spaces (a loop rather than split(" +"), which compiles a
      // regular expression on every MAIL and RCPT).
      int space = trimmed.indexOf(' ', from);
      int end = space < 0 ? trimmed.length() : space;
      String token = trimmed.substring(from, end);
      from = end + 1;
      if (token.isEmpty()) {
        continue;
      }
      int eq = token.indexOf('=');
      String key = eq < 0 ? token : token.substring(0, eq);
      String value = eq < 0 ? null : token.substring(eq + 1);
      if (key.isEmpty() || !isKeyword(key)) {
        throw new ParameterException("bad parameter keyword");
      }
      if (value != null && (value.isEmpty() || !isParamValue(value))) {
        throw new ParameterException("bad parameter value");
      }
      if (out.put(key.toUpperCase(Locale.ROOT), value) != null) {
        throw new ParameterException("duplicate parameter");
      }
    }
    return out;
  }

  private static boolean isKeyword(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean isParamValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 33 || c == '=' || c == 127) {
        return false;
      }
    }
    return true;
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < 33 || s.charAt(i) > 126) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
