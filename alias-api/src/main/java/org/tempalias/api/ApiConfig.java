package org.tempalias.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code http} section of the service configuration, plus the top-level {@code domains}.
 *
 * @param host               address to listen on
 * @param port               port to listen on, 0 for any free port
 * @param maxDays            cap on {@code days} of a new alias
 * @param maxUsage           cap on {@code max-usage} of a new alias
 * @param corsOrigins        origins allowed by CORS; {@code "*"} allows any origin
 * @param trustedProxies     proxies (IP addresses or CIDR blocks) whose {@code X-Forwarded-For} is believed
 * @param storeTimeoutMillis bound on every event-bus request to the store, including the health probe
 * @param domain             the alias domain used in {@code address} (the first of {@code domains})
 * @param domains            every alias domain, lower case: no alias may forward into one (a loop)
 * @param publicUrl          where this API is reached from outside, for links in mail
 *                           ({@code http.publicUrl}); null: the listen address, once bound
 * @param confirmFrom        the sender of confirmation mail ({@code confirm.from})
 * @param maxConnections     open HTTP connections per node (the instances share the count)
 * @param idleTimeoutSeconds a connection without traffic is closed after this long
 * @param requestTimeoutSeconds a request (head and body) must arrive within this long
 * @param tokenDays          lifetime of aliases made with an API token unless it was issued with
 *                           others ({@code api.tokenDefaults.days}; 0 = no time limit)
 * @param tokenMaxUsage      their use limit ({@code api.tokenDefaults.maxUsage}; 0 = none)
 */
public record ApiConfig(
    String host,
    int port,
    int maxDays,
    int maxUsage,
    List<String> corsOrigins,
    TrustedProxies trustedProxies,
    long storeTimeoutMillis,
    String domain,
    List<String> domains,
    String publicUrl,
    String confirmFrom,
    int maxConnections,
    int idleTimeoutSeconds,
    int requestTimeoutSeconds,
    int tokenDays,
    int tokenMaxUsage) {

  public static final String SECTION = "http";

  public static ApiConfig from(JsonObject config) {
    JsonObject root = config == null ? new JsonObject() : config;
    Object sectionValue = root.getValue(SECTION);
    if (sectionValue != null && !(sectionValue instanceof JsonObject)) {
      throw new IllegalArgumentException("http must be an object");
    }
    JsonObject http = sectionValue == null ? new JsonObject() : (JsonObject) sectionValue;
    String host = string(http, "host", "127.0.0.1");
    int port = integer(http, "port", 8080, 0, 65535);
    int maxDays = integer(http, "maxDays", 60, 1, 36500);
    int maxUsage = integer(http, "maxUsage", 100, 1, 1_000_000);
    List<String> corsOrigins = strings(http, "corsOrigins", List.of("*"));
    if (corsOrigins.isEmpty()) {
      throw new IllegalArgumentException("http.corsOrigins must name at least one origin (\"*\" for any)");
    }
    TrustedProxies proxies;
    try {
      proxies = TrustedProxies.parse(strings(http, "trustedProxies", List.of()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("http.trustedProxies: " + e.getMessage(), e);
    }
    long storeTimeout = integer(http, "storeTimeoutMillis", 3000, 1, 600_000);
    List<String> domains = stringsAt(root, "domains", List.of("localhost"));
    if (domains.isEmpty() || domains.get(0).isBlank()) {
      throw new IllegalArgumentException("domains must name at least one alias domain");
    }
    return new ApiConfig(host, port, maxDays, maxUsage, List.copyOf(corsOrigins), proxies, storeTimeout,
        domains.get(0).trim(), domains.stream().map(d -> d.trim().toLowerCase(java.util.Locale.ROOT)).toList(),
        publicUrl(http), confirmFrom(root, domains.get(0).trim()),
        integer(http, "maxConnections", 1000, 1, 1_000_000),
        integer(http, "idleTimeoutSeconds", 60, 1, 86_400),
        integer(http, "requestTimeoutSeconds", 10, 1, 3_600),
        tokenDefault(root, "days", Math.min(30, maxDays), maxDays), tokenDefault(root, "maxUsage", 0, maxUsage));
  }

  /** {@code api.tokenDefaults.<key>}, within the caps; together they must leave a limit. */
  private static int tokenDefault(JsonObject root, String key, int fallback, int cap) {
    JsonObject api = root.getValue("api") instanceof JsonObject a ? a : new JsonObject();
    JsonObject defaults = api.getValue("tokenDefaults") instanceof JsonObject d ? d : new JsonObject();
    int value;
    try {
      value = integer(defaults, key, fallback, 0, cap);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace("http." + key, "api.tokenDefaults." + key), e);
    }
    if (key.equals("maxUsage") && value == 0 && integer(defaults, "days", 30, 0, Integer.MAX_VALUE) == 0) {
      throw new IllegalArgumentException("api.tokenDefaults needs days or maxUsage: an alias needs a limit");
    }
    return value;
  }

  private static String publicUrl(JsonObject http) {
    Object value = http.getValue("publicUrl");
    if (value == null || value.toString().isBlank()) {
      return null;
    }
    String url = value.toString().trim();
    while (url.endsWith("/")) {
      url = url.substring(0, url.length() - 1);
    }
    if (!url.matches("https?://[A-Za-z0-9.:\\[\\]-]+(/[A-Za-z0-9._~/-]*)?")) {
      throw new IllegalArgumentException("http.publicUrl must be an http(s) URL such as https://alias.example.org, got "
          + value);
    }
    return url;
  }

  private static String confirmFrom(JsonObject root, String firstDomain) {
    JsonObject confirm = root.getValue("confirm") instanceof JsonObject c ? c : new JsonObject();
    String from = confirm.getString("from", "postmaster@" + firstDomain).trim();
    if (!from.matches("[^\\s<>@]+@[A-Za-z0-9.-]+")) {
      throw new IllegalArgumentException("confirm.from must be a plain address, got " + from);
    }
    return from;
  }

  private static String string(JsonObject http, String key, String fallback) {
    Object value = http.getValue(key);
    if (value == null) {
      return fallback;
    }
    if (!(value instanceof String s) || s.isBlank()) {
      throw new IllegalArgumentException("http." + key + " must be a non-empty string, got " + value);
    }
    return s.trim();
  }

  private static int integer(JsonObject http, String key, int fallback, int min, int max) {
    Object value = http.getValue(key);
    if (value == null) {
      return fallback;
    }
    long parsed;
    if (value instanceof Integer || value instanceof Long) {
      parsed = ((Number) value).longValue();
    } else if (value instanceof String s && s.trim().matches("[0-9]{1,10}")) {
      parsed = Long.parseLong(s.trim());
    } else {
      throw new IllegalArgumentException("http." + key + " must be a whole number, got " + value);
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException(
          "http." + key + " must be between " + min + " and " + max + ", got " + value);
    }
    return (int) parsed;
  }

  private static List<String> strings(JsonObject http, String key, List<String> fallback) {
    return list(http.getValue(key), "http." + key, fallback);
  }

  private static List<String> stringsAt(JsonObject root, String key, List<String> fallback) {
    return list(root.getValue(key), key, fallback);
  }

  /** A list given as a JSON array or as one comma-separated string (as environment variables do). */
  private static List<String> list(Object value, String name, List<String> fallback) {
    if (value == null) {
      return fallback;
    }
    List<String> out = new ArrayList<>();
    if (value instanceof String s) {
      for (String part : s.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }
    if (value instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String s) || s.isBlank()) {
          throw new IllegalArgumentException(name + " must be a list of non-empty strings, got " + value);
        }
        out.add(s.trim());
      }
      return out;
    }
    throw new IllegalArgumentException(name + " must be a list of strings, got " + value);
  }
}
