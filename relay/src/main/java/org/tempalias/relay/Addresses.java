package org.tempalias.relay;

/** Guards for the paths the relay writes into MAIL FROM and RCPT TO command lines. */
final class Addresses {
  private Addresses() {}

  /**
   * Whether a path can go between angle brackets on a command line: no control characters
   * (no CRLF injection into the smarthost session), no angle brackets. Syntax beyond that was
   * checked by the gateway (reverse path) and at alias creation (target).
   */
  static boolean isSafe(String path) {
    if (path == null || path.length() > 512) {
      return false;
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c < 0x20 || c == 0x7f || c == '<' || c == '>') {
        return false;
      }
    }
    return true;
  }

  /** Whether a parameter value (BODY=) is a plain esmtp-value keyword. */
  static boolean isKeyword(String value) {
    if (value == null || value.isEmpty() || value.length() > 32) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /** Whether a path is US-ASCII (else it needs SMTPUTF8, RFC 6531). */
  static boolean isAscii(String path) {
    for (int i = 0; i < path.length(); i++) {
      if (path.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }
}
