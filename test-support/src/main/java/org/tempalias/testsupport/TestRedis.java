package org.tempalias.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * A real Redis (the embedded-redis binary, Redis 6.2) on a free loopback port. Ephemeral by
 * default; {@link #persistent} keeps an append-only file fsynced on every write, so a SIGKILL
 * loses nothing and {@link #restart} finds the data again. {@link #command} speaks RESP on a plain
 * socket, so a test can look behind the store's back or make Redis misbehave (DEBUG SLEEP).
 */
public final class TestRedis implements AutoCloseable {
  private final int port;
  private final Path dir;
  private RedisServer server;

  private TestRedis(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /** Nothing persisted. */
  public static TestRedis start() {
    TestRedis redis = new TestRedis(Ports.free(), null);
    redis.launch();
    return redis;
  }

  /** A port for a Redis not started yet ({@link #restart} starts it): a client may try it first. */
  public static TestRedis onFreePort() {
    return new TestRedis(Ports.free(), null);
  }

  /** Data in {@code dir} (append-only, fsync always): survives {@link #kill} and {@link #restart}. */
  public static TestRedis persistent(Path dir) {
    TestRedis redis = new TestRedis(Ports.free(), dir);
    redis.launch();
    return redis;
  }

  public int port() {
    return port;
  }

  public String url() {
    return url(port);
  }

  public static String url(int port) {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops Redis gracefully (SIGTERM: the append-only file is flushed). */
  public void stop() {
    try {
      if (server != null) {
        server.stop();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SIGKILL, as when the machine loses the process: no goodbye to clients, nothing flushed. */
  public void kill() {
    long pid = Long.parseLong(info("process_id"));
    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    Await.waitFor("redis " + pid + " gone", () -> ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true));
    stop(); // lets embedded-redis forget the process
  }

  /** Starts (again) on the same port (and, when persistent, the same data). */
  public void restart() {
    launch();
  }

  /** One command, its reply as text (simple strings, numbers, bulk strings; arrays joined by '\n'). */
  public String command(String... args) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
      write(socket.getOutputStream(), args);
      return read(socket.getInputStream());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Sends a command and returns at once; its reply is read on a background thread. For commands
   * that block the server, such as {@code DEBUG SLEEP 3}: the next commands wait behind it.
   */
  public void commandInBackground(String... args) {
    Thread t = new Thread(() -> command(args), "redis-" + String.join("-", args));
    t.setDaemon(true);
    t.start();
  }

  /** A field of INFO, e.g. {@code process_id}. */
  public String info(String field) {
    for (String line : command("INFO").split("\r?\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1).trim();
      }
    }
    throw new IllegalStateException("INFO has no " + field);
  }

  @Override
  public void close() {
    stop();
  }

  private void launch() {
    try {
      RedisServerBuilder builder = RedisServer.newRedisServer().bind("127.0.0.1").port(port).setting("save \"\"");
      if (dir == null) {
        builder.setting("appendonly no");
      } else {
        builder.setting("dir " + dir.toAbsolutePath()).setting("appendonly yes").setting("appendfsync always");
      }
      server = builder.build();
      server.start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(OutputStream out, String... args) throws IOException {
    StringBuilder resp = new StringBuilder("*").append(args.length).append("\r\n");
    for (String arg : args) {
      byte[] bytes = arg.getBytes(StandardCharsets.UTF_8);
      resp.append('$').append(bytes.length).append("\r\n").append(arg).append("\r\n");
    }
    out.write(resp.toString().getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static String read(InputStream in) throws IOException {
    String line = line(in);
    char type = line.charAt(0);
    String rest = line.substring(1);
    switch (type) {
      case '+', ':' -> {
        return rest;
      }
      case '-' -> throw new IOException("redis error: " + rest);
      case '$' -> {
        int n = Integer.parseInt(rest);
        if (n < 0) {
          return null;
        }
        byte[] bytes = in.readNBytes(n + 2);
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
      }
      case '*' -> {
        int n = Integer.parseInt(rest);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return String.join("\n", items);
      }
      default -> throw new IOException("unexpected reply " + line);
    }
  }

  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed");
      }
      if (prev == '\r' && b == '\n') {
        byte[] bytes = buf.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      buf.write(b);
      prev = b;
    }
  }
}
