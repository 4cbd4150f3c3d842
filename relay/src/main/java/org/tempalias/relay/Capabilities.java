package org.tempalias.relay;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.tempalias.contract.SmtpReply;

/**
 * The service extensions a smarthost announced in its EHLO reply (RFC 5321 §4.1.1.1: every line
 * after the first is "keyword [params]"). Empty after HELO. Forgotten after STARTTLS
 * (RFC 3207 §4.2), so a connection asks again.
 */
record Capabilities(Map<String, String> extensions) {
  static final Capabilities NONE = new Capabilities(Map.of());
  private static final Pattern WHITESPACE = Pattern.compile("\\s+");

  static Capabilities fromEhlo(SmtpReply reply) {
    Map<String, String> extensions = new LinkedHashMap<>();
    String[] lines = reply.text() == null ? new String[0] : reply.text().split("\n");
    for (int i = 1; i < lines.length; i++) {
      String line = lines[i].trim();
      if (line.isEmpty()) {
        continue;
      }
      // Some servers still announce "AUTH=PLAIN LOGIN" (pre-RFC 4954 syntax).
      int cut = indexOfAny(line, ' ', '=');
      String keyword = (cut < 0 ? line : line.substring(0, cut)).toUpperCase(Locale.ROOT);
      String params = cut < 0 ? "" : line.substring(cut + 1).trim();
      extensions.merge(keyword, params, (a, b) -> a.isEmpty() ? b : b.isEmpty() ? a : a + " " + b);
    }
    return new Capabilities(Map.copyOf(extensions));
  }

  boolean has(String keyword) {
    return extensions.containsKey(keyword);
  }

  Set<String> authMechanisms() {
    String params = extensions.get("AUTH");
    if (params == null || params.isEmpty()) {
      return Set.of();
    }
    return Arrays.stream(WHITESPACE.split(params))
        .map(m -> m.toUpperCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  private static int indexOfAny(String text, char a, char b) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == a || c == b) {
        return i;
      }
    }
    return -1;
  }
}
