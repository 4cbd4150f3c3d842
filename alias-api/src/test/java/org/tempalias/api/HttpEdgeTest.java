package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The HTTP edge against slow, many and malformed clients, over raw sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpEdgeTest {
  static Vertx vertx;
  static int port;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    port = TestSupport.deployApi(vertx, new JsonObject().put("requestTimeoutSeconds", 1)).port();
  }

  @AfterAll
  static void stop() {
    TestSupport.await(vertx.close());
  }

  /** Sends raw bytes, reads the whole answer (the server closes after a refusal). */
  static String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return readAll(s.getInputStream());
    }
  }

  static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
        out.write(buf, 0, n);
      }
    } catch (SocketTimeoutException | java.net.SocketException end) {
      // what came is what we judge
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  static JsonObject body(String response) {
    return new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
  }

  @Test
  void slowAndSilentConnectionsAreClosed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      // The case: 50 that send half a request line, 50 that send nothing.
      for (int i = 0; i < 100; i++) {
        Socket s = new Socket("127.0.0.1", port);
        s.setSoTimeout(5_000);
        if (i % 2 == 0) {
          s.getOutputStream().write("GET /alia".getBytes(StandardCharsets.US_ASCII)); // half a request line
        }
        sockets.add(s);
      }
      long started = System.nanoTime();
      for (Socket s : sockets) {
        assertThat(s.getInputStream().read()).as("closed by the server").isEqualTo(-1);
      }
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
    } finally {
      for (Socket s : sockets) {
        s.close();
      }
    }
  }

  @Test
  void aBodyThatDoesNotArriveIs408() throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("POST /aliases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: 100\r\n\r\n{\"target\":").getBytes(StandardCharsets.US_ASCII));
      String response = readAll(s.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 408");
      assertThat(body(response).getString("error")).isEqualTo("request-timeout");
    }
  }

  @Test
  void malformedRequestsGetTheirStatusAndABody() throws Exception {
    String big = exchange("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    assertThat(big).startsWith("HTTP/1.1 431");
    assertThat(body(big).getString("error")).isEqualTo("headers-too-large");

    String uri = exchange("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(uri).matches("(?s)HTTP/1\\.[01] 414.*"); // no version could be read
    assertThat(body(uri).getString("error")).isEqualTo("uri-too-long");

    String twoLengths = exchange("POST /aliases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
    assertThat(twoLengths).startsWith("HTTP/1.1 400");
    assertThat(body(twoLengths).getString("error")).isEqualTo("invalid-data");

    String unknownCoding = exchange("POST /aliases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n\r\n{}");
    assertThat(unknownCoding).startsWith("HTTP/1.1 400");
    assertThat(body(unknownCoding).getString("error")).isEqualTo("invalid-data");

    String huge = "{\"target\":\"me@example.org\",\"max-usage\":1e400}";
    String number = exchange("POST /aliases HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
        + "Content-Length: " + huge.length() + "\r\n\r\n" + huge);
    assertThat(number).startsWith("HTTP/1.1 400");
    assertThat(body(number).getString("error")).isEqualTo("invalid-data");
  }

  @Test
  void connectionsPastTheNodesCapAre503() throws Exception {
    Vertx other = Vertx.vertx();
    List<Socket> held = new ArrayList<>();
    try {
      int capped = TestSupport.deployApi(other, new JsonObject().put("maxConnections", 3)).port();
      for (int i = 0; i < 3; i++) {
        held.add(new Socket("127.0.0.1", capped));
      }
      try (Socket s = new Socket("127.0.0.1", capped)) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String response = readAll(s.getInputStream());
        assertThat(response).startsWith("HTTP/1.1 503");
        assertThat(body(response).getString("error")).isEqualTo("server-error");
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
      TestSupport.await(other.close());
    }
  }
}
