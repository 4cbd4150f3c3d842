package org.tempalias.deploy;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The launcher's flags. They win over the config file and the environment. */
record CommandLine(Path configFile, List<String[]> overrides, boolean help) {

  static final String USAGE = String.join("\n",
      "usage: java -jar tempalias.jar [options]",
      "  --config FILE           YAML or JSON configuration file",
      "  --roles LIST            roles to run on this node: api,store,smtp,relay (default all)",
      "  --instances ROLE=N,...  verticle instances per role (default: one per core for api/smtp/relay)",
      "  --data-dir DIR          where the embedded Redis keeps its data (default ./data)",
      "  --cluster               join a Hazelcast cluster (see --cluster-* and TEMPALIAS_CLUSTER_*)",
      "  --cluster-host HOST     address this node binds and announces to the cluster",
      "  --cluster-members LIST  host[:port] of other members, comma separated",
      "  --cluster-name NAME     cluster name (default tempalias)",
      "  --help                  show this text",
      "Environment variables TEMPALIAS_* override the config file; see README.md.");

  static CommandLine parse(String[] args) {
    Path config = null;
    List<String[]> overrides = new ArrayList<>();
    boolean help = false;
    int i = 0;
    while (i < args.length) {
      String arg = args[i++];
      int eq = arg.startsWith("--") ? arg.indexOf('=') : -1;
      String name = eq > 0 ? arg.substring(0, eq) : arg;
      String inline = eq > 0 ? arg.substring(eq + 1) : null;
      if (name.equals("--help") || name.equals("-h") || name.equals("--cluster")) {
        if (inline != null) {
          throw new ConfigException(name + " takes no value\n" + USAGE);
        }
        if (name.equals("--cluster")) {
          overrides.add(new String[] {"cluster.enabled", "true"});
        } else {
          help = true;
        }
        continue;
      }
      String key = switch (name) {
        case "--config" -> "config";
        case "--roles" -> "roles";
        case "--data-dir" -> "dataDir";
        case "--instances" -> "instances";
        case "--cluster-host" -> "cluster.host";
        case "--cluster-members" -> "cluster.members";
        case "--cluster-name" -> "cluster.name";
        default -> throw new ConfigException("unknown option '" + arg + "'\n" + USAGE);
      };
      String value = inline;
      if (value == null) {
        if (i >= args.length || args[i].startsWith("--")) {
          throw new ConfigException(name + " needs a value\n" + USAGE);
        }
        value = args[i++];
      }
      if (key.equals("config")) {
        config = Path.of(value);
      } else {
        overrides.add(new String[] {key, value});
      }
    }
    return new CommandLine(config, overrides, help);
  }

  void applyTo(JsonObject config) {
    for (String[] o : overrides) {
      switch (o[0]) {
        case "cluster.enabled" -> Settings.put(config, o[0], true);
        case "cluster.members" -> Settings.put(config, o[0], o[1]);
        case "instances" -> config.put("instances", parseInstances(o[1]));
        default -> Settings.put(config, o[0], o[1]);
      }
    }
  }

  private static JsonObject parseInstances(String text) {
    JsonObject instances = new JsonObject();
    for (Object pair : EnvironmentOverrides.splitList(text)) {
      String[] kv = ((String) pair).split("=", 2);
      if (kv.length != 2) {
        throw new ConfigException("--instances takes ROLE=N pairs, got '" + pair + "'");
      }
      try {
        instances.put(kv[0].trim(), Integer.valueOf(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new ConfigException("--instances: '" + kv[1] + "' is not a whole number");
      }
    }
    return instances;
  }
}
