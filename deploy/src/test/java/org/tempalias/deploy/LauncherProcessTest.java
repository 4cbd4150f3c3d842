package org.tempalias.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher as an operator runs it: a separate JVM started with {@link Main}, stopped with
 * SIGTERM (what Ctrl-C and service managers send).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class LauncherProcessTest {
  private static final Duration BOUND = Duration.ofSeconds(60);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void aliasesSurviveACleanRestartOfTheEmbeddedDefault() throws Exception {
    int port = EmbeddedRedis.freePort();
    Map<String, String> env = Map.of(
        "TEMPALIAS_HTTP_PORT", String.valueOf(port),
        "TEMPALIAS_SMTP_PORT", "0",
        "TEMPALIAS_DATA_DIR", dir.resolve("data").toString());

    Process first = launch(env);
    JsonObject created;
    try {
      awaitHealthy(port, first);
      HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/aliases"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"me@example.org\",\"max-usage\":10,\"days\":7}")));
      assertThat(response.statusCode()).isEqualTo(200);
      created = new JsonObject(response.body());
      assertThat(created.getString("aid")).matches("[a-z0-9]{10}");
      assertThat(created.getString("currentDate")).isNotBlank();
    } finally {
      first.destroy(); // SIGTERM
    }
    assertThat(first.waitFor(60, TimeUnit.SECONDS)).as("stops within a minute of SIGTERM").isTrue();
    assertThat(output(first)).contains("tempalias stopped").doesNotContain("Exception");

    Process second = launch(env);
    try {
      awaitHealthy(port, second);
      HttpResponse<String> status = send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + port + "/aliases/" + created.getString("aid")))
          .header("Authorization", "Bearer " + created.getString("updatekey"))
          .GET());
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      assertThat(new JsonObject(status.body()).getString("target")).isEqualTo("me@example.org");
    } finally {
      second.destroy();
      second.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void theEmbeddedRedisDiesWithAKilledServiceAndOnlyTheServiceCanReadIt() throws Exception {
    int port = EmbeddedRedis.freePort();
    Path data = dir.resolve("data");
    Map<String, String> env = Map.of("TEMPALIAS_HTTP_PORT", String.valueOf(port), "TEMPALIAS_SMTP_PORT", "0",
        "TEMPALIAS_DATA_DIR", data.toString());
    Process first = launch(env);
    long redisPid;
    String aid;
    String srsSecret;
    try {
      awaitHealthy(port, first);
      aid = new JsonObject(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/aliases"))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"me@example.org\",\"days\":1}"))).body())
          .getString("aid");
      redisPid = Long.parseLong(Files.readString(data.resolve("redis.pid")).trim());
      srsSecret = Files.readString(data.resolve("srs.secrets"));
      assertThat(srsSecret).matches("[A-Za-z0-9+/]{43}\n");
      assertThat(data.resolve("confirm.secret")).isNotEmptyFile();
      assertThat(output(first)).contains("no postmaster address");
      // Another local process finds a Redis that wants a password it cannot know.
      int redisPort = Integer.parseInt(Files.readAllLines(data.resolve("redis.conf")).stream()
          .filter(l -> l.startsWith("port ")).findFirst().orElseThrow().substring(5));
      assertThat(rawRedis(redisPort, "*2\r\n$4\r\nKEYS\r\n$1\r\n*\r\n")).startsWith("-NOAUTH");
      // A second service on the same data directory is refused, not started beside it.
      Process second = launch(Map.of("TEMPALIAS_HTTP_PORT", String.valueOf(EmbeddedRedis.freePort()),
          "TEMPALIAS_SMTP_PORT", "0", "TEMPALIAS_DATA_DIR", data.toString()));
      assertThat(second.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(second.exitValue()).isEqualTo(2);
      assertThat(output(second)).contains("is in use by another running tempalias");
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook runs
    }
    first.waitFor(30, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (ProcessHandle.of(redisPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertThat(ProcessHandle.of(redisPid).map(ProcessHandle::isAlive).orElse(false))
        .as("the embedded Redis outlived its killed JVM").isFalse();

    Process third = launch(env);
    try {
      awaitHealthy(port, third);
      assertThat(send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/aliases/" + aid)).GET())
          .statusCode()).as("the alias survived (403: it exists, no key given)").isEqualTo(403);
      assertThat(Files.readString(data.resolve("srs.secrets"))).as("the SRS secret is kept").isEqualTo(srsSecret);
    } finally {
      third.destroy();
      third.waitFor(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRedisLeftRunningOnTheDataIsStoppedAtTheNextStart() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data"));
    String binary = redis.embedded.core.ExecutableProvider.newJarResourceProvider().get().getAbsolutePath();
    Process leftover = new ProcessBuilder(binary, "--port", String.valueOf(EmbeddedRedis.freePort()),
        "--bind", "127.0.0.1", "--save", "", "--dir", data.toString(), "--pidfile", data.resolve("redis.pid").toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("leftover.log").toFile()).start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (!Files.exists(data.resolve("redis.pid")) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      int port = EmbeddedRedis.freePort();
      Process service = launch(Map.of("TEMPALIAS_HTTP_PORT", String.valueOf(port), "TEMPALIAS_SMTP_PORT", "0",
          "TEMPALIAS_DATA_DIR", data.toString()));
      try {
        awaitHealthy(port, service);
        assertThat(leftover.waitFor(10, TimeUnit.SECONDS)).as("the leftover Redis was stopped").isTrue();
        assertThat(output(service)).contains("left running on this data directory");
      } finally {
        service.destroy();
        service.waitFor(60, TimeUnit.SECONDS);
      }
    } finally {
      leftover.destroyForcibly();
    }
  }

  /** One RESP request on a plain socket; the first line of the answer. */
  private static String rawRedis(int port, String request) throws IOException {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }

  @Test
  void badConfigurationEndsWithOneLineAndExitCode2() throws Exception {
    Process p = launch(Map.of("TEMPALIAS_HTTP_PORT", "eighty", "TEMPALIAS_DATA_DIR", dir.toString()));
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    String out = output(p).strip();
    assertThat(out).isEqualTo("tempalias: TEMPALIAS_HTTP_PORT must be a whole number, got 'eighty'");
  }

  @Test
  void aPortInUseIsReportedNotThrown() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      Process p = launch(Map.of(
          "TEMPALIAS_HTTP_PORT", String.valueOf(taken.getLocalPort()),
          "TEMPALIAS_SMTP_PORT", "0",
          "TEMPALIAS_DATA_DIR", dir.toString()));
      assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).isEqualTo(2);
      assertThat(output(p)).contains("tempalias: cannot start role api");
    }
  }

  private Process launch(Map<String, String> env) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("out-" + System.nanoTime() + ".log").toFile());
    builder.environment().keySet().removeIf(k -> k.startsWith("TEMPALIAS_"));
    builder.environment().putAll(env);
    Process process = builder.start();
    outputs.put(process, builder.redirectOutput().file().toPath());
    return process;
  }

  private final Map<Process, Path> outputs = new java.util.HashMap<>();

  private String output(Process p) throws IOException {
    return Files.readString(outputs.get(p), StandardCharsets.UTF_8);
  }

  private void awaitHealthy(int port, Process process) throws Exception {
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("service exited early:\n" + output(process));
      }
      try {
        HttpResponse<String> r = send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).GET());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYetListening) {
        // the port opens once every role is deployed
      }
      Thread.sleep(100);
    }
    throw new AssertionError("service not healthy within " + BOUND + ":\n" + output(process));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
