package org.tempalias.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.FileSystemYamlConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.TcpIpConfig;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the Hazelcast cluster manager from the bundled cluster.xml (or the operator's file). */
final class Cluster {
  private Cluster() {}

  static ClusterManager manager(ClusterSettings settings) {
    Config config = settings.configFile() == null ? ConfigUtil.loadConfig() : load(Path.of(settings.configFile()));
    config.setClusterName(settings.name());
    NetworkConfig network = config.getNetworkConfig();
    if (settings.host() != null && !settings.host().isBlank()) {
      network.setPublicAddress(settings.host());
      network.getInterfaces().setEnabled(true).clear().addInterface(settings.host());
    }
    if (!settings.members().isEmpty()) {
      TcpIpConfig tcp = network.getJoin().getTcpIpConfig().setEnabled(true);
      tcp.setMembers(settings.members());
      network.getJoin().getMulticastConfig().setEnabled(false);
    }
    config.addListenerConfig(new ListenerConfig(new MembershipLog()));
    return new HazelcastClusterManager(config);
  }

  private static Config load(Path file) {
    if (!Files.isReadable(file)) {
      throw new ConfigException("cluster configuration " + file + " is not readable");
    }
    try {
      String name = file.getFileName().toString().toLowerCase();
      return name.endsWith(".yaml") || name.endsWith(".yml")
          ? new FileSystemYamlConfig(file.toFile())
          : new FileSystemXmlConfig(file.toFile());
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot read cluster configuration " + file + ": " + e.getMessage(), e);
    }
  }
}
