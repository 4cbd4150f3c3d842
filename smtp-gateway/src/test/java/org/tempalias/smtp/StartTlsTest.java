package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;

/** STARTTLS with the test certificate under src/test/resources (self-signed, CN=localhost). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StartTlsTest {
  static Vertx vertx;
  static int port;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    String dir = Path.of("src/test/resources").toAbsolutePath().toString();
    port = GatewayHarness.deploy(vertx, new JsonObject()
        .put("tlsCert", dir + "/test-cert.pem").put("tlsKey", dir + "/test-key.pem")).actualPort();
  }

  @AfterAll
  static void close() throws Exception {
    await(vertx.close());
  }

  @Test
  void startTlsResetsTheSession() throws Exception {
    try (LineClient c = new LineClient(port)) {
      c.expect("220 ");
      assertThat(c.cmd("EHLO client.example").reply()).contains("250-SMTPUTF8\r\n250 STARTTLS\r\n");
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("STARTTLS x").expect("501 5.5.4");
      c.cmd("STARTTLS").expect("220 2.0.0");
      c.startTls();
      c.cmd("MAIL FROM:<a@b.example>").expect("503 5.5.1 Send EHLO/HELO first");
      String ehlo = c.cmd("EHLO client.example").reply();
      assertThat(ehlo).doesNotContain("STARTTLS").endsWith("250 SMTPUTF8\r\n");
      c.cmd("STARTTLS").expect("503 5.5.1");
      c.cmd("MAIL FROM:<a@b.example>").expect("250 2.1.0");
      c.cmd("RCPT TO:<victim@other.example>").expect("550 5.7.1");
      c.cmd("QUIT").expect("221 ");
    }
  }

  @Test
  void plaintextPipelinedAfterStartTlsIsDiscarded() throws Exception {
    try (LineClient c = new LineClient(port)) {
      c.expect("220 ");
      c.cmd("EHLO client.example").expect("250 ");
      // The injection: commands sent in the clear behind STARTTLS must not run inside TLS.
      c.send("STARTTLS\r\nEHLO injected.example\r\nMAIL FROM:<injected@evil.example>\r\n");
      c.expect("220 2.0.0");
      c.startTls();
      c.cmd("MAIL FROM:<a@b.example>").expect("503 5.5.1 Send EHLO/HELO first");
      c.cmd("NOOP").expect("250 2.0.0");
    }
  }

  @Test
  void startTlsWorksOnEveryInstance() throws Exception {
    // The gateway runs in two instances sharing the port; connections alternate between them.
    for (int i = 0; i < 6; i++) {
      try (LineClient c = new LineClient(port)) {
        c.expect("220 ");
        c.cmd("EHLO client.example").expect("250 ");
        c.cmd("STARTTLS").expect("220 2.0.0");
        c.startTls();
        c.cmd("EHLO client.example").expect("250 ");
        c.cmd("QUIT").expect("221 ");
      }
    }
  }
}
