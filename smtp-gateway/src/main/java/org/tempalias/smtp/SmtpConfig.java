package org.tempalias.smtp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code smtp} section of the service configuration plus the top-level {@code domains}. Every
 * key has a default; a bad value fails {@link #from} with a message naming the key.
 *
 * @param domains alias domains, lower case; RCPT to any other domain is refused (no open relay)
 */
public record SmtpConfig(
    String host,
    int port,
    String hostname,
    String tlsCert,
    String tlsKey,
    long maxMessageBytes,
    int maxRecipients,
    int idleTimeoutSeconds,
    int maxConnections,
    int maxConnectionsPerIp,
    int maxTransactionsPerClient,
    long transactionSlotWaitMillis,
    int maxBadCommands,
    int maxJunkCommands,
    int maxTransactionSeconds,
    String postmaster,
    long storeTimeoutMillis,
    long relayOpenTimeoutMillis,
    long relayCommandTimeoutMillis,
    long relayAckTimeoutMillis,
    long relayEndTimeoutMillis,
    long relayProbeAfterMillis,
    long relayProbeIntervalMillis,
    long relayProbeTimeoutMillis,
    int chunkBytes,
    int windowChunks,
    int maxLineBytes,
    int maxDataLineBytes,
    int maxReceivedHeaders,
    int shutdownGraceSeconds,
    List<String> domains) {

  public static final String SECTION = "smtp";
  public static final String DOMAINS = "domains";

  public boolean tlsEnabled() {
    return tlsCert != null && tlsKey != null;
  }

  /** How long the store waits for a committed claim's settlement: our END bound and a margin. */
  public long commitHoldMillis() {
    return relayEndTimeoutMillis + 60_000;
  }

  public boolean isOurDomain(String domain) {
    return domains.contains(domain.toLowerCase(Locale.ROOT));
  }

  public static SmtpConfig from(JsonObject config) {
    JsonObject smtp = config.getJsonObject(SECTION, new JsonObject());
    Reader r = new Reader(smtp);
    String cert = r.string("tlsCert", null);
    String key = r.string("tlsKey", null);
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("smtp.tlsCert and smtp.tlsKey must be set together");
    }
    return new SmtpConfig(
        r.string("host", "127.0.0.1"),
        r.intRange("port", 2525, 0, 65535),
        r.string("hostname", "localhost"),
        cert,
        key,
        r.longMin("maxMessageBytes", 25L * 1024 * 1024, 1),
        r.intRange("maxRecipients", 100, 1, 100_000),
        r.intRange("idleTimeoutSeconds", 300, 1, 86_400),
        r.intRange("maxConnections", 1000, 1, 1_000_000),
        // Postfix's smtpd_client_connection_count_limit: a busy sending MTA opens many at once.
        r.intRange("maxConnectionsPerIp", 50, 1, 1_000_000),
        // Well below the relay's pool (poolSize per relay instance): one client must not be able
        // to hold every smarthost connection with transactions it never finishes.
        r.intRange("maxTransactionsPerClient", 5, 1, 1_000_000),
        // A client over its share waits this long at RCPT for one of its own to end, then 451.
        r.longMin("transactionSlotWaitMillis", 20_000, 0),
        r.intRange("maxBadCommands", 10, 1, 10_000),
        // Postfix's smtpd_junk_command_limit: NOOP, RSET, VRFY, HELP must not keep a session alive.
        r.intRange("maxJunkCommands", 100, 1, 1_000_000),
        // From the first accepted recipient to the final reply: a transaction holds a claim and a
        // smarthost connection, so it must end. 20 minutes carries 25 MiB at 200 kbit/s.
        r.intRange("maxTransactionSeconds", 1200, 1, 86_400),
        postmaster(r.string("postmaster", null)),
        r.longMin("storeTimeoutMillis", 5_000, 1),
        // RFC 5321 §4.5.3.2 client timeouts plus a margin, so that the relay's own timeout
        // towards the smarthost fires first and its 4xx reaches us.
        r.longMin("relayOpenTimeoutMillis", 330_000, 1),
        r.longMin("relayCommandTimeoutMillis", 330_000, 1),
        r.longMin("relayAckTimeoutMillis", 210_000, 1),
        r.longMin("relayEndTimeoutMillis", 630_000, 1),
        // The long bounds above are for a relay that is alive but waits on a slow smarthost; one
        // whose node died is found out by PING on the transaction address within seconds.
        r.longMin("relayProbeAfterMillis", 5_000, 1),
        r.longMin("relayProbeIntervalMillis", 5_000, 1),
        r.longMin("relayProbeTimeoutMillis", 5_000, 1),
        r.intRange("chunkBytes", 64 * 1024, 512, 16 * 1024 * 1024),
        r.intRange("windowChunks", 8, 1, 1024),
        r.intRange("maxLineBytes", 4096, 512, 1024 * 1024),
        r.intRange("maxDataLineBytes", 64 * 1024, 1000, 16 * 1024 * 1024),
        r.intRange("maxReceivedHeaders", 30, 1, 1000),
        r.intRange("shutdownGraceSeconds", 30, 0, 3600),
        domains(config));
  }

  /** RFC 5321 §4.5.1: the address mail for postmaster@ our domains goes to; it ends up in a RCPT line. */
  private static String postmaster(String address) {
    if (address == null) {
      return null;
    }
    String a = address.trim();
    int at = a.lastIndexOf('@');
    boolean ok = at > 0 && at < a.length() - 1 && a.length() <= 254;
    for (int i = 0; ok && i < a.length(); i++) {
      char c = a.charAt(i);
      ok = c > 32 && c < 127 && c != '<' && c != '>' && c != '"' && c != '\\';
    }
    if (!ok) {
      throw new IllegalArgumentException("smtp.postmaster: expected a plain address like postmaster@example.org, got '"
          + address + "'");
    }
    return a;
  }

  private static List<String> domains(JsonObject config) {
    Object raw = config.getValue(DOMAINS);
    List<String> out = new ArrayList<>();
    if (raw == null) {
      out.add("localhost");
    } else if (raw instanceof JsonArray array) {
      for (Object o : array) {
        if (!(o instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException("domains: every entry must be a non-empty string");
        }
        out.add(s.trim().toLowerCase(Locale.ROOT));
      }
    } else if (raw instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim().toLowerCase(Locale.ROOT));
        }
      }
    } else {
      throw new IllegalArgumentException("domains: expected a list of domain names");
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("domains: at least one alias domain is required");
    }
    return List.copyOf(out);
  }

  private record Reader(JsonObject json) {
    String string(String key, String dflt) {
      Object v = json.getValue(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof String s)) {
        throw new IllegalArgumentException("smtp." + key + ": expected a string");
      }
      return s.isBlank() ? dflt : s;
    }

    long number(String key, long dflt) {
      Object v = json.getValue(key);
      if (v == null) {
        return dflt;
      }
      if (v instanceof Number n) {
        return n.longValue();
      }
      try {
        return Long.parseLong(v.toString().trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("smtp." + key + ": expected a number, got " + v);
      }
    }

    int intRange(String key, int dflt, int min, int max) {
      long v = number(key, dflt);
      if (v < min || v > max) {
        throw new IllegalArgumentException("smtp." + key + ": must be between " + min + " and " + max);
      }
      return (int) v;
    }

    long longMin(String key, long dflt, long min) {
      long v = number(key, dflt);
      if (v < min) {
        throw new IllegalArgumentException("smtp." + key + ": must be at least " + min);
      }
      return v;
    }
  }
}
