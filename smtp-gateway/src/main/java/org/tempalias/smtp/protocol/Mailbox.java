package org.tempalias.smtp.protocol;

/** Writes a mailbox for an SMTP command line (RFC 5321 §4.1.2), quoting a local part that needs it. */
public final class Mailbox {
  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  private Mailbox() {}

  public static String format(String local, String domain) {
    return (isDotString(local) ? local : quoted(local)) + "@" + domain;
  }

  /** A Dot-string: atoms of atext (UTF-8 allowed, RFC 6531 §3.3) separated by single dots. */
  static boolean isDotString(String local) {
    if (local.isEmpty() || local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      return false;
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.'
          || ATEXT_SPECIALS.indexOf(c) >= 0 || c >= 0x80;
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static String quoted(String local) {
    StringBuilder out = new StringBuilder(local.length() + 2).append('"');
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.append('"').toString();
  }
}
