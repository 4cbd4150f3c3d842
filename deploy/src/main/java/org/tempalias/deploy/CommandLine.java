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
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg.contains("=") && arg.startsWith("--") ? arg.substring(0, arg.indexOf('=')) : arg;
      String inline = arg.contains("=") && arg.startsWith("--") ? arg.substring(arg.indexOf('=') + 1) : null;
      switch (name) {
        case "--help", "-h" -> help = true;
        case "--cluster" -> overrides.add(new String[] {"cluster.enabled", "true"});
        case "--config" -> config = Path.of(value(args, i++, name, inline));
        case "--roles" -> overrides.add(new String[] {"roles", value(args, i++, name, inline)});
        case "--data-dir" -> overrides.add(new String[] {"dataDir", value(args, i++, name, inline)});
        case "--instances" -> overrides.add(new String[] {"instances", value(args, i++, name, inline)});
        case "--cluster-host" -> overrides.add(new String[] {"cluster.host", value(args, i++, name, inline)});
        case "--cluster-members" -> overrides.add(new String[] {"cluster.members", value(args, i++, name, inline)});
        case "--cluster-name" -> overrides.add(new String[] {"cluster.name", value(args, i++, name, inline)});
        default -> throw new ConfigException("unknown option '" + arg + "'\n" + USAGE);
      }
      if (inline != null) {
        i--; // the value was part of the flag itself, nothing to skip
      }
    }
    return new CommandLine(config, overrides, help);
  }

  private static String value(String[] args, int i, String flag, String inline) {
    if (inline != null) {
      return inline;
    }
    if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
      throw new ConfigException(flag + " needs a value\n" + USAGE);
    }
    return args[i + 1];
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
