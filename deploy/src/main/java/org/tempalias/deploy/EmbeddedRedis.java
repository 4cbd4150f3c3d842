package org.tempalias.deploy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.core.ExecutableProvider;

/**
 * The Redis a single-node install runs without anything else installed: the server binary shipped
 * by the embedded-redis artifact, bound to loopback on a free port, its data (append-only file,
 * fsync every second) in the data directory so aliases survive a restart.
 *
 * <p>It must not outlive us, nor meet another of its kind on the same data:
 * <ul>
 *   <li>The data directory is locked ({@code tempalias.lock}) for as long as this JVM runs: a second
 *       service on the same directory stops with a clear message instead of a second Redis
 *       appending to the same file.</li>
 *   <li>Redis writes its pid to {@code redis.pid}. A Redis found there at start is a leftover of a
 *       service that died without stopping it (we hold the lock, so its owner is gone): it is
 *       stopped (SIGTERM, then SIGKILL) before ours starts.</li>
 *   <li>It runs under {@code /bin/sh}, which waits on its stdin, a pipe from this JVM: when the JVM
 *       dies, however (even SIGKILL), the pipe closes, the shell reads end-of-file and stops Redis.
 *       A clean stop closes the pipe the same way. Without {@code /bin/sh} (Windows) Redis is
 *       started directly and this guarantee is gone.</li>
 *   <li>A fresh random password each start ({@code requirepass}), known only to this JVM: another
 *       local user or process cannot read or change the aliases.</li>
 * </ul>
 */
final class EmbeddedRedis implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedis.class);
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String READY = "Ready to accept connections";
  private static final long START_TIMEOUT_SECONDS = 20;
  private static final long STOP_TIMEOUT_SECONDS = 20;
  // $0 = redis-server, $1 = the configuration. Redis runs in the background, stdin from /dev/null;
  // the shell then waits for the end of its own stdin (our pipe) and stops Redis.
  private static final String GUARD = "\"$0\" \"$1\" </dev/null & pid=$!\n"
      + "trap 'kill -TERM $pid 2>/dev/null' TERM INT HUP\n"
      + "while read -r _; do :; done\n"
      + "kill -TERM $pid 2>/dev/null\n"
      + "wait $pid\n";

  private final Process process;
  private final FileChannel lockFile;
  private final int port;
  private final String password;
  private final Path dataDir;

  private EmbeddedRedis(Process process, FileChannel lockFile, int port, String password, Path dataDir) {
    this.process = process;
    this.lockFile = lockFile;
    this.port = port;
    this.password = password;
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
    FileChannel lock = lock(dir);
    try {
      stopLeftover(dir.resolve("redis.pid"));
      int port = freePort();
      String password = newPassword();
      Path conf = writeConfig(dir, port, password);
      Process process = launch(ExecutableProvider.newJarResourceProvider().get().getAbsolutePath(), conf);
      awaitReady(process);
      LOG.info("embedded Redis on 127.0.0.1:{} (password protected, stops with this JVM), data in {}", port, dir);
      return new EmbeddedRedis(process, lock, port, password, dir);
    } catch (IOException | RuntimeException e) {
      closeQuietly(lock);
      throw e instanceof ConfigException ce ? ce
          : new ConfigException("cannot start the embedded Redis in " + dir + ": " + e.getMessage(), e);
    }
  }

  /** The URL with its password: give it only to the store. */
  String url() {
    return "redis://:" + password + "@127.0.0.1:" + port;
  }

  /** Stops Redis with SIGTERM (through its guard): it fsyncs the append-only file before it exits. */
  @Override
  public void close() {
    try {
      process.getOutputStream().close(); // the guard reads end-of-file and stops Redis
      if (!process.waitFor(STOP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        LOG.warn("embedded Redis did not stop within {} s, killing it", STOP_TIMEOUT_SECONDS);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
      LOG.info("embedded Redis stopped, data flushed to {}", dataDir);
    } catch (IOException e) {
      LOG.warn("embedded Redis did not stop cleanly: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeQuietly(lockFile);
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

  private static FileChannel lock(Path dir) {
    try {
      FileChannel channel = FileChannel.open(dir.resolve("tempalias.lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new ConfigException("data directory " + dir + " is in use by another running tempalias");
      }
      return channel;
    } catch (IOException e) {
      throw new ConfigException("cannot lock data directory " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A Redis left running on this data by a service that died: stopped, so that ours is the only one. */
  private static void stopLeftover(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    Optional<ProcessHandle> leftover;
    try {
      leftover = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim()));
    } catch (NumberFormatException e) {
      leftover = Optional.empty();
    }
    Files.deleteIfExists(pidFile);
    if (leftover.isEmpty() || !leftover.get().isAlive()
        || !leftover.get().info().command().map(c -> c.contains("redis-server")).orElse(false)) {
      return;
    }
    ProcessHandle p = leftover.get();
    LOG.warn("a Redis (pid {}) left running on this data directory by an earlier run; stopping it", p.pid());
    p.destroy();
    try {
      p.onExit().get(10, TimeUnit.SECONDS);
    } catch (Exception notYet) {
      p.destroyForcibly();
      try {
        p.onExit().get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new ConfigException("cannot stop the Redis (pid " + p.pid() + ") left running in " + pidFile.getParent());
      }
    }
  }

  private static Path writeConfig(Path dir, int port, String password) throws IOException {
    Path conf = dir.resolve("redis.conf");
    String text = String.join("\n",
        "# written by tempalias at every start; changes are lost",
        "bind 127.0.0.1",
        "port " + port,
        "protected-mode yes",
        "requirepass " + password,
        "dir " + dir,
        "pidfile " + dir.resolve("redis.pid"),
        "appendonly yes",
        "appendfsync everysec",
        "save \"\"",
        "maxmemory-policy noeviction",
        "");
    Files.deleteIfExists(conf);
    Files.createFile(conf);
    try {
      Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the data directory's own permissions protect it
    }
    Files.writeString(conf, text, StandardCharsets.UTF_8);
    return conf;
  }

  private static Process launch(String binary, Path conf) throws IOException {
    List<String> command = Files.isExecutable(Path.of("/bin/sh"))
        ? List.of("/bin/sh", "-c", GUARD, binary, conf.toString())
        : List.of(binary, conf.toString());
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  /** Waits for Redis to say it is ready; keeps logging what it prints after that. */
  private static void awaitReady(Process process) throws IOException {
    CountDownLatch ready = new CountDownLatch(1);
    Deque<String> last = new ArrayDeque<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          synchronized (last) {
            last.addLast(line);
            if (last.size() > 10) {
              last.removeFirst();
            }
          }
          LOG.debug("redis: {}", line);
          if (line.contains(READY)) {
            ready.countDown();
          }
        }
      } catch (IOException e) {
        LOG.debug("redis output: {}", e.toString());
      }
    }, "embedded-redis-output");
    reader.setDaemon(true);
    reader.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
      while (!ready.await(100, TimeUnit.MILLISECONDS)) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
          synchronized (last) {
            throw new IOException("Redis did not start: " + String.join(" | ", last));
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while Redis started", e);
    }
  }

  private static String newPassword() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // releasing the lock is all that was left to do
    }
  }
}
