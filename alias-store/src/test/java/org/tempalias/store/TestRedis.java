package org.tempalias.store;

import java.io.IOException;
import java.net.ServerSocket;
import redis.embedded.RedisServer;

/** A real Redis (the embedded-redis binary) on a free loopback port, nothing persisted. */
final class TestRedis {
  private TestRedis() {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  static RedisServer start(int port) throws IOException {
    RedisServer server = RedisServer.newRedisServer()
        .port(port)
        .setting("save \"\"")
        .setting("appendonly no")
        .build();
    server.start();
    return server;
  }

  static String url(int port) {
    return "redis://127.0.0.1:" + port;
  }
}
