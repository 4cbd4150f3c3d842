package org.tempalias.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * The Redis a single-node install runs without anything else installed: the server binary shipped
 * by the embedded-redis artifact, bound to loopback on a free port, with its data (append-only
 * file, fsync every second) in the data directory so aliases survive a restart.
 */
final class EmbeddedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);

  private final RedisServer server;
  private final int port;
  private final Path dataDir;

  private EmbeddedRedis(RedisServer server, int port, Path dataDir) {
    this.server = server;
    this.port = port;
    this.dataDir = dataDir;
  }

  static EmbeddedRedis start(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException("cannot create data directory " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException("data directory " + dir + " is not writable");
    }
    int port = freePort();
    try {
      RedisServer server = RedisServer.newRedisServer()
          .bind("127.0.0.1")
          .port(port)
          .setting("dir " + dir)
          .setting("appendonly yes")
          .setting("appendfsync everysec")
          .setting("save \"\"")
          .setting("protected-mode yes")
          .setting("maxmemory-policy noeviction")
          .build();
      server.start();
      LOG.info("embedded Redis on 127.0.0.1:{}, data in {}", port, dir);
      return new EmbeddedRedis(server, port, dir);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("cannot start the embedded Redis in " + dir + ": " + e.getMessage(), e);
    }
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops Redis with SIGTERM: it fsyncs the append-only file before it exits. */
  @Override
  public void close() {
    try {
      server.stop();
      LOG.info("embedded Redis stopped, data flushed to {}", dataDir);
    } catch (IOException e) {
      LOG.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
    }
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new ConfigException("no free local port: " + e.getMessage(), e);
    }
  }
}
