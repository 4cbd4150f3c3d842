package org.tempalias.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Environment variables and the configuration keys they override. One table, so that the README,
 * the code and the error messages cannot drift apart.
 */
enum EnvironmentOverrides {
  HTTP_HOST("TEMPALIAS_HTTP_HOST", "http.host", Kind.TEXT),
  HTTP_PORT("TEMPALIAS_HTTP_PORT", "http.port", Kind.INTEGER),
  PUBLIC_URL("TEMPALIAS_PUBLIC_URL", "http.publicUrl", Kind.TEXT),
  CONFIRM_TARGETS("TEMPALIAS_CONFIRM_TARGETS", "confirm.required", Kind.TEXT),
  SMTP_HOST("TEMPALIAS_SMTP_HOST", "smtp.host", Kind.TEXT),
  SMTP_PORT("TEMPALIAS_SMTP_PORT", "smtp.port", Kind.INTEGER),
  SMTP_HOSTNAME("TEMPALIAS_SMTP_HOSTNAME", "smtp.hostname", Kind.TEXT),
  POSTMASTER("TEMPALIAS_POSTMASTER", "smtp.postmaster", Kind.TEXT),
  SRS_ENABLED("TEMPALIAS_SRS_ENABLED", "srs.enabled", Kind.TEXT),
  SRS_DOMAIN("TEMPALIAS_SRS_DOMAIN", "srs.domain", Kind.TEXT),
  SRS_SECRETS_FILE("TEMPALIAS_SRS_SECRETS_FILE", "srs.secretsFile", Kind.TEXT),
  DOMAINS("TEMPALIAS_DOMAINS", "domains", Kind.LIST),
  SMARTHOST("TEMPALIAS_SMARTHOST", "relay.smarthost", Kind.TEXT),
  SMARTHOST_USERNAME("TEMPALIAS_SMARTHOST_USERNAME", "relay.username", Kind.TEXT),
  SMARTHOST_PASSWORD("TEMPALIAS_SMARTHOST_PASSWORD", "relay.password", Kind.TEXT),
  REDIS_URL("TEMPALIAS_REDIS_URL", "store.redisUrl", Kind.TEXT),
  REDIS_MODE("TEMPALIAS_REDIS_MODE", "store.redisMode", Kind.TEXT),
  REDIS_ENDPOINTS("TEMPALIAS_REDIS_ENDPOINTS", "store.redisEndpoints", Kind.LIST),
  REDIS_MASTER_NAME("TEMPALIAS_REDIS_MASTER_NAME", "store.redisMasterName", Kind.TEXT),
  DATA_DIR("TEMPALIAS_DATA_DIR", "dataDir", Kind.TEXT),
  ROLES("TEMPALIAS_ROLES", "roles", Kind.TEXT),
  CREATE_LIMIT("TEMPALIAS_CREATE_LIMIT_PER_MINUTE", "store.createLimitPerMinute", Kind.INTEGER),
  TOKEN_DAYS("TEMPALIAS_TOKEN_DAYS", "api.tokenDefaults.days", Kind.INTEGER),
  TOKEN_MAX_USAGE("TEMPALIAS_TOKEN_MAX_USAGE", "api.tokenDefaults.maxUsage", Kind.INTEGER),
  SMTP_TLS_CERT("TEMPALIAS_SMTP_TLS_CERT", "smtp.tlsCert", Kind.TEXT),
  SMTP_TLS_KEY("TEMPALIAS_SMTP_TLS_KEY", "smtp.tlsKey", Kind.TEXT),
  CLUSTER_HOST("TEMPALIAS_CLUSTER_HOST", "cluster.host", Kind.TEXT),
  CLUSTER_MEMBERS("TEMPALIAS_CLUSTER_MEMBERS", "cluster.members", Kind.LIST),
  CLUSTER_NAME("TEMPALIAS_CLUSTER_NAME", "cluster.name", Kind.TEXT),
  CLUSTER_CONFIG("TEMPALIAS_CLUSTER_CONFIG", "cluster.configFile", Kind.TEXT);

  enum Kind { TEXT, INTEGER, LIST }

  private final String variable;
  private final String path;
  private final Kind kind;

  EnvironmentOverrides(String variable, String path, Kind kind) {
    this.variable = variable;
    this.path = path;
    this.kind = kind;
  }

  String variable() {
    return variable;
  }

  /** Writes every variable present in {@code env} into {@code config} at its key. */
  static void apply(Map<String, String> env, JsonObject config) {
    for (EnvironmentOverrides o : values()) {
      String raw = env.get(o.variable);
      if (raw != null && !raw.isBlank()) {
        Settings.put(config, o.path, o.convert(raw.trim()));
      }
    }
  }

  private Object convert(String raw) {
    return switch (kind) {
      case TEXT -> raw;
      case INTEGER -> parseInteger(raw);
      case LIST -> new JsonArray(splitList(raw));
    };
  }

  private Integer parseInteger(String raw) {
    try {
      return Integer.valueOf(raw);
    } catch (NumberFormatException e) {
      throw new ConfigException(variable + " must be a whole number, got '" + raw + "'");
    }
  }

  static List<Object> splitList(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(s -> (Object) s).toList();
  }
}
