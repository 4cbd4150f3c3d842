package org.tempalias.contract;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.IDN;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

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
  private static final Pattern LDH_NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
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
    try {
      d = IDN.toASCII(d, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    return LDH_NAME.matcher(d).matches() ? d : null;
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
