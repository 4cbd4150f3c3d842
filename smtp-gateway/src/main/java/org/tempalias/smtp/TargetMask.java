package org.tempalias.smtp;

import java.util.ArrayList;
import java.util.List;
import org.tempalias.contract.SmtpReply;

/**
 * Keeps target addresses out of the replies a client sees. Every reply that comes from upstream
 * (the relay's or the smarthost's, at MAIL, RCPT, DATA and the end of data) passes through
 * {@link #apply}: an alias's target is private to whoever made the alias, and a smarthost quotes
 * the recipient freely ("550 5.1.1 &lt;me@example.org&gt;: unknown user",
 * "451 4.7.1 &lt;me@example.org&gt;: greylisted"). Pure; one per transaction.
 */
final class TargetMask {
  private record Pair(String target, String shown) {}

  private final List<Pair> pairs = new ArrayList<>(2);

  /** From now on {@code target} is shown as {@code shown} (the alias address the client used). */
  void hide(String target, String shown) {
    if (target != null && !target.isEmpty()) {
      pairs.add(new Pair(target, shown));
    }
  }

  SmtpReply apply(SmtpReply reply) {
    if (reply.text() == null || pairs.isEmpty()) {
      return reply;
    }
    String text = reply.text();
    for (Pair pair : pairs) {
      text = replaceIgnoringAsciiCase(text, pair.target(), pair.shown());
    }
    return text == reply.text() ? reply : SmtpReply.of(reply.code(), reply.enhanced(), text);
  }

  /**
   * Every occurrence of {@code target} in {@code text}, left to right and not overlapping, replaced;
   * letters compare case-insensitively in US-ASCII only (as a {@code (?i)} regular expression does,
   * without compiling one for every reply). Returns {@code text} itself when nothing matched.
   */
  static String replaceIgnoringAsciiCase(String text, String target, String replacement) {
    int n = target.length();
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i + n <= text.length()) {
      if (matchesAt(text, i, target)) {
        if (out == null) {
          out = new StringBuilder(text.length() + replacement.length());
        }
        out.append(text, copied, i).append(replacement);
        i += n;
        copied = i;
      } else {
        i++;
      }
    }
    return out == null ? text : out.append(text, copied, text.length()).toString();
  }

  private static boolean matchesAt(String text, int at, String target) {
    for (int j = 0; j < target.length(); j++) {
      if (asciiLower(text.charAt(at + j)) != asciiLower(target.charAt(j))) {
        return false;
      }
    }
    return true;
  }

  private static char asciiLower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
  }
}
