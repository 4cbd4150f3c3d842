package org.tempalias.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything the launcher needs, resolved once at start from (lowest to highest precedence) the
 * built-in defaults, the {@code --config} file, {@code TEMPALIAS_*} environment variables and
 * command-line flags. {@link #service()} is the JSON every verticle receives as its config.
 */
public record Settings(
    JsonObject service,
    Set<Role> roles,
    Map<Role, Integer> instances,
    Path dataDir,
    ClusterSettings cluster) {

  private static final Pattern DOMAIN =
      Pattern.compile("(?i)^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$");

  /** The defaults run the whole service on one machine with nothing installed but Java. */
  static JsonObject defaults() {
    return new JsonObject()
        .put("domains", new JsonArray().add("localhost"))
        .put("roles", "api,store,smtp,relay")
        .put("dataDir", "./data")
        .put("instances", new JsonObject())
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 8080))
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", 2525))
        .put("store", new JsonObject().put("createLimitPerMinute", 10))
        .put("relay", new JsonObject().put("smarthost", "127.0.0.1:25"))
        .put("cluster", new JsonObject().put("enabled", false).put("name", "tempalias").put("members", new JsonArray()));
  }

  /**
   * Resolves the settings.
   *
   * @throws ConfigException with an operator-readable message when anything is wrong
   */
  public static Settings load(String[] args, Map<String, String> env) {
    CommandLine flags = CommandLine.parse(args);
    JsonObject config = defaults();
    if (flags.configFile() != null) {
      deepMerge(config, ConfigFile.read(flags.configFile()));
    }
    EnvironmentOverrides.apply(env, config);
    flags.applyTo(config);
    return from(config);
  }

  static Settings from(JsonObject config) {
    Set<Role> roles = parseRoles(text(config, "roles"));
    Map<Role, Integer> instances = parseInstances(object(config, "instances"), roles);
    validatePort(config, "http.port");
    validatePort(config, "smtp.port");
    validateDomains(config);
    validateNonNegative(config, "store.createLimitPerMinute");
    String dataDir = text(config, "dataDir");
    if (dataDir == null || dataDir.isBlank()) {
      throw new ConfigException("dataDir (TEMPALIAS_DATA_DIR) must not be empty");
    }
    JsonObject service = config.copy();
    defaultRedisUrlToFirstEndpoint(service);
    for (String launcherKey : List.of("roles", "instances", "dataDir", "cluster")) {
      service.remove(launcherKey);
    }
    return new Settings(service, roles, instances, Path.of(dataDir), ClusterSettings.from(object(config, "cluster")));
  }

  /** True when this node runs the store and no external Redis was configured. */
  public boolean wantsEmbeddedRedis() {
    String url = service.getJsonObject("store", new JsonObject()).getString("redisUrl");
    return roles.contains(Role.STORE) && (url == null || url.isBlank());
  }

  /**
   * Sentinel and Cluster setups are described by their endpoints; the store also wants a
   * redisUrl (its standalone endpoint and the default of the list), so the first endpoint is it.
   */
  private static void defaultRedisUrlToFirstEndpoint(JsonObject service) {
    Object endpoints = get(service, "store.redisEndpoints");
    String url = text(service, "store.redisUrl");
    if ((url == null || url.isBlank()) && endpoints instanceof JsonArray list && !list.isEmpty()) {
      put(service, "store.redisUrl", String.valueOf(list.getValue(0)));
    }
  }

  private static Set<Role> parseRoles(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("roles (TEMPALIAS_ROLES, --roles) must name at least one of api, store, smtp, relay");
    }
    Set<Role> roles = EnumSet.noneOf(Role.class);
    for (Object name : EnvironmentOverrides.splitList(text)) {
      roles.add(Role.parse((String) name));
    }
    return Collections.unmodifiableSet(roles);
  }

  private static Map<Role, Integer> parseInstances(JsonObject given, Set<Role> roles) {
    Map<Role, Integer> instances = new EnumMap<>(Role.class);
    for (String name : given.fieldNames()) {
      Role role = Role.parse(name);
      Object value = given.getValue(name);
      if (!(value instanceof Number n) || n.intValue() < 1 || n.intValue() > 256 || n.doubleValue() != n.intValue()) {
        throw new ConfigException("instances of " + name + " must be a whole number from 1 to 256, got '" + value + "'");
      }
      instances.put(role, n.intValue());
    }
    for (Role role : roles) {
      instances.putIfAbsent(role, role.defaultInstances());
    }
    instances.keySet().retainAll(roles);
    return Collections.unmodifiableMap(instances);
  }

  private static void validatePort(JsonObject config, String path) {
    Object value = get(config, path);
    if (!(value instanceof Integer port) || port < 0 || port > 65535) {
      throw new ConfigException(path + " must be a port number from 0 to 65535 (0 = any free port), got '" + value + "'");
    }
  }

  private static void validateNonNegative(JsonObject config, String path) {
    Object value = get(config, path);
    if (value != null && (!(value instanceof Integer n) || n < 0)) {
      throw new ConfigException(path + " must be a whole number, 0 or more, got '" + value + "'");
    }
  }

  private static void validateDomains(JsonObject config) {
    Object value = config.getValue("domains");
    List<Object> domains = value instanceof JsonArray a ? a.getList()
        : value instanceof String s ? EnvironmentOverrides.splitList(s) : List.of();
    if (domains.isEmpty()) {
      throw new ConfigException("domains (TEMPALIAS_DOMAINS) must list at least one mail domain for aliases");
    }
    List<Object> normalised = new ArrayList<>();
    for (Object d : domains) {
      if (!(d instanceof String name) || !DOMAIN.matcher(name).matches()) {
        throw new ConfigException("domains: '" + d + "' is not a domain name");
      }
      normalised.add(name.toLowerCase());
    }
    config.put("domains", new JsonArray(normalised));
  }

  static String text(JsonObject config, String path) {
    Object value = get(config, path);
    if (value != null && !(value instanceof String)) {
      throw new ConfigException(path + " must be text, got '" + value + "'");
    }
    return (String) value;
  }

  private static JsonObject object(JsonObject config, String key) {
    Object value = config.getValue(key);
    if (value == null) {
      return new JsonObject();
    }
    if (!(value instanceof JsonObject o)) {
      throw new ConfigException(key + " must be a mapping of settings, got '" + value + "'");
    }
    return o;
  }

  static Object get(JsonObject config, String path) {
    String[] parts = path.split("\\.");
    Object current = config;
    for (String part : parts) {
      if (!(current instanceof JsonObject o)) {
        return null;
      }
      current = o.getValue(part);
    }
    return current;
  }

  /** Sets {@code path} (dot separated) in {@code config}, creating the sections on the way. */
  static void put(JsonObject config, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject section = config;
    for (int i = 0; i < parts.length - 1; i++) {
      Object next = section.getValue(parts[i]);
      if (!(next instanceof JsonObject)) {
        next = new JsonObject();
        section.put(parts[i], next);
      }
      section = (JsonObject) next;
    }
    section.put(parts[parts.length - 1], value);
  }

  private static void deepMerge(JsonObject into, JsonObject from) {
    for (String key : from.fieldNames()) {
      Object incoming = from.getValue(key);
      Object existing = into.getValue(key);
      if (incoming instanceof JsonObject in && existing instanceof JsonObject ex) {
        deepMerge(ex, in);
      } else {
        into.put(key, incoming);
      }
    }
  }
}
