package org.tempalias.deploy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * How this node joins the clustered event bus. Off by default: everything runs on a local event
 * bus in one JVM.
 *
 * @param members   host[:port] of the other members (TCP-IP discovery; multicast is off)
 * @param host      the address this node binds and announces, null for Hazelcast's choice
 * @param configFile a Hazelcast XML/YAML file that replaces the built-in cluster configuration
 */
public record ClusterSettings(boolean enabled, String name, String host, List<String> members, String configFile) {

  static ClusterSettings from(JsonObject json) {
    Object enabled = json.getValue("enabled", false);
    if (!(enabled instanceof Boolean)) {
      throw new ConfigException("cluster.enabled must be true or false, got '" + enabled + "'");
    }
    Object rawMembers = json.getValue("members");
    List<String> members = rawMembers instanceof JsonArray a
        ? a.stream().map(String::valueOf).toList()
        : rawMembers instanceof String s ? EnvironmentOverrides.splitList(s).stream().map(String::valueOf).toList()
        : List.of();
    String name = Settings.text(json, "name");
    return new ClusterSettings(
        (Boolean) enabled,
        name == null || name.isBlank() ? "tempalias" : name,
        Settings.text(json, "host"),
        members,
        Settings.text(json, "configFile"));
  }
}
