package org.tempalias.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.IDN;
import java.util.List;
import java.util.Locale;

/**
 * Which envelope senders an alias takes mail from. A filter, not authentication: anyone can
 * write any domain in MAIL FROM. A sender matches a domain when its domain is that domain or one
 * of its subdomains; the null sender never matches a locked alias.
 *
 * @param domains     allowed sender domains, lower-case A-labels; empty: any (unless firstSender)
 * @param firstSender the domain of the first sender whose message is delivered becomes the only
 *                    one allowed (it then appears in {@code domains})
 */
public record SenderLock(List<String> domains, boolean firstSender) {
  public static final SenderLock NONE = new SenderLock(List.of(), false);
  /** Enough for a shop and its mailing service; a lock is not an allow-list service. */
  public static final int MAX_DOMAINS = 10;
  private static final String DOMAINS = "senders";
  private static final String FIRST_SENDER = "firstSender";

  public SenderLock {
    domains = domains == null ? List.of() : List.copyOf(domains);
  }

  public boolean locked() {
    return firstSender || !domains.isEmpty();
  }

  /**
   * A domain as locks compare it: lower case, international names as A-labels (RFC 5890), no
   * trailing dot; null when it is not a domain name of at least two labels (an address literal,
   * a bare word, anything with characters a host name cannot have).
   */
  public static String normalize(String domain) {
    if (domain == null) {
      return null;
    }
    String d = domain.trim();
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (!isAscii(d)) {
      try {
        d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED);
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
    d = d.toLowerCase(Locale.ROOT);
    return isHostName(d) ? d : null;
  }

  private static boolean isAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /**
   * At least two labels of letters, digits and inner hyphens, each 1 to 63 long, 253 in all
   * (RFC 1035 §2.3.1, RFC 1123 §2.1). Checked by hand: every claim and settlement asks, and a
   * regular expression was a measurable share of a message's CPU.
   */
  static boolean isHostName(String d) {
    int n = d.length();
    if (n == 0 || n > 253) {
      return false;
    }
    int labels = 0;
    int start = 0;
    for (int i = 0; i <= n; i++) {
      char c = i < n ? d.charAt(i) : '.';
      if (c == '.') {
        int len = i - start;
        if (len == 0 || len > 63 || d.charAt(start) == '-' || d.charAt(i - 1) == '-') {
          return false;
        }
        labels++;
        start = i + 1;
      } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return labels >= 2;
  }

  /** The domain of a reverse-path as locks compare it; "" for the null sender or one that is not a name. */
  public static String senderDomain(String domain, boolean nullSender) {
    if (nullSender) {
      return "";
    }
    String d = normalize(domain);
    return d == null ? "" : d;
  }

  public JsonObject toJson() {
    return new JsonObject().put(DOMAINS, new JsonArray(domains)).put(FIRST_SENDER, firstSender);
  }

  public static SenderLock fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    JsonArray domains = json.getJsonArray(DOMAINS);
    return new SenderLock(domains == null ? List.of() : domains.stream().map(String::valueOf).toList(),
        json.getBoolean(FIRST_SENDER, false));
  }
}
