package org.tempalias.relay;

import io.vertx.core.json.JsonObject;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The {@code relay} section of the service configuration, read once in {@code start()}.
 * Every key has a default; a bad value fails start with a message naming the key.
 *
 * <p>Command timeouts default to RFC 5321 §4.5.3.2: greeting 5 min, MAIL 5 min, RCPT 5 min,
 * DATA initiation 2 min, each data block 3 min, end of data 10 min.
 */
public record RelayConfig(
    String host,
    int port,
    StartTls startTls,
    boolean trustAll,
    String trustPem,
    String username,
    String password,
    boolean authWithoutTls,
    String ehloName,
    int poolSize,
    int connectTimeoutSeconds,
    int greetingTimeoutSeconds,
    int mailTimeoutSeconds,
    int rcptTimeoutSeconds,
    int dataInitTimeoutSeconds,
    int dataBlockTimeoutSeconds,
    int endOfDataTimeoutSeconds,
    int idleTimeoutSeconds,
    int poolIdleSeconds,
    int serviceMailRetrySeconds,
    int serviceMailAttempts) {

  /** When the relay uses STARTTLS (RFC 3207) toward the smarthost. */
  public enum StartTls {
    /** Never, even when offered. */
    OFF,
    /** When offered; the certificate is not verified unless {@code trustPem} is set (RFC 7435). */
    OPPORTUNISTIC,
    /** Always; a smarthost that does not offer it, or fails the handshake, gets no mail. */
    REQUIRED
  }

  static final String SECTION = "relay";

  public static RelayConfig from(JsonObject config) {
    JsonObject relay = config == null ? new JsonObject() : config.getJsonObject(SECTION, new JsonObject());
    String smarthost = string(relay, "smarthost", "127.0.0.1:25");
    int colon = smarthost.lastIndexOf(':');
    if (colon <= 0 || colon == smarthost.length() - 1) {
      throw new IllegalArgumentException("relay.smarthost must be host:port, got '" + smarthost + "'");
    }
    String host = smarthost.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(smarthost.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("relay.smarthost port is not a number: '" + smarthost + "'");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("relay.smarthost port out of range: " + port);
    }
    StartTls startTls;
    String mode = string(relay, "starttls", "opportunistic");
    try {
      startTls = StartTls.valueOf(mode.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("relay.starttls must be off, opportunistic or required, got '" + mode + "'");
    }
    String username = relay.getString("username");
    String password = relay.getString("password");
    if ((username == null) != (password == null)) {
      throw new IllegalArgumentException("relay.username and relay.password must be set together");
    }
    return new RelayConfig(
        host,
        port,
        startTls,
        bool(relay, "trustAll", false),
        relay.getString("trustPem"),
        username,
        password,
        bool(relay, "authWithoutTls", false),
        relay.getValue("ehloName") == null ? localHostName() : string(relay, "ehloName", null),
        positive(relay, "poolSize", 10),
        positive(relay, "connectTimeoutSeconds", 30),
        positive(relay, "greetingTimeoutSeconds", 300),
        positive(relay, "mailTimeoutSeconds", 300),
        positive(relay, "rcptTimeoutSeconds", 300),
        positive(relay, "dataInitTimeoutSeconds", 120),
        positive(relay, "dataBlockTimeoutSeconds", 180),
        positive(relay, "endOfDataTimeoutSeconds", 600),
        positive(relay, "idleTimeoutSeconds", 330),
        positive(relay, "poolIdleSeconds", 60),
        // Service mail to an unreachable smarthost: tried again after 60 s, then doubling, 6 times in
        // all (about an hour); the target can ask again by making another alias.
        positive(relay, "serviceMailRetrySeconds", 60),
        positive(relay, "serviceMailAttempts", 6));
  }

  boolean hasCredentials() {
    return username != null;
  }

  String smarthost() {
    return host + ":" + port;
  }

  private static String string(JsonObject json, String key, String fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("relay." + key + " must be a non-empty string");
    }
    return s.trim();
  }

  private static boolean bool(JsonObject json, String key, boolean fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (value instanceof Boolean b) {
      return b;
    }
    if (value instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException("relay." + key + " must be true or false, got '" + value + "'");
  }

  private static int positive(JsonObject json, String key, int fallback) {
    Object value = json.getValue(key);
    if (value == null) {
      return fallback;
    }
    int n;
    try {
      n = value instanceof Number number ? number.intValue() : Integer.parseInt(value.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("relay." + key + " must be a number, got '" + value + "'");
    }
    if (n <= 0) {
      throw new IllegalArgumentException("relay." + key + " must be positive, got " + n);
    }
    return n;
  }

  private static String localHostName() {
    try {
      InetAddress local = InetAddress.getLocalHost();
      String name = local.getCanonicalHostName();
      // RFC 5321 §4.1.4 and §4.1.3: the EHLO argument is a domain or an address literal.
      if (name.contains(".") && !Character.isDigit(name.charAt(name.length() - 1))) {
        return name;
      }
      return local instanceof Inet6Address ? "[IPv6:" + local.getHostAddress() + "]" : "[" + local.getHostAddress() + "]";
    } catch (UnknownHostException e) {
      return "[127.0.0.1]";
    }
  }
}
