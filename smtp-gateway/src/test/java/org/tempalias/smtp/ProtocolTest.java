package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.Swaks;
import org.tempalias.contract.StoreAddress;

/** The SMTP dialogue over real sockets, without store or relay (they are absent or silent here). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProtocolTest {
  static Vertx vertx;
  static int port;

  @BeforeAll
  static void deploy() throws Exception {
    vertx = Vertx.vertx();
    port = GatewayHarness.deploy(vertx, new JsonObject().put("maxMessageBytes", 1000).put("storeTimeoutMillis", 300))
        .actualPort();
  }

  @AfterAll
  static void close() throws Exception {
    await(vertx.close());
  }

  static LineClient connect() throws Exception {
    LineClient c = new LineClient(port);
    c.expect("220 mx.tempalias.test ESMTP");
    return c;
  }

  static LineClient ehlo() throws Exception {
    LineClient c = connect();
    c.cmd("EHLO client.example").expect("250 ");
    return c;
  }

  @Test
  void ehloAdvertisesExtensions() throws Exception {
    try (LineClient c = connect()) {
      assertThat(c.cmd("EHLO client.example").reply()).isEqualTo(
          "250-mx.tempalias.test greets client.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n"
              + "250-ENHANCEDSTATUSCODES\r\n250 SMTPUTF8\r\n");
      assertThat(c.cmd("HELO client.example").reply()).isEqualTo("250 mx.tempalias.test greets client.example\r\n");
      c.cmd("EHLO").expect("501 5.5.4");
    }
  }

  @Test
  void simpleCommands() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("NOOP").expect("250 2.0.0");
      c.cmd("RSET").expect("250 2.0.0");
      c.cmd("VRFY someone").expect("252 2.5.0");
      c.cmd("VRFY").expect("501 5.5.4");
      assertThat(c.cmd("HELP").reply()).startsWith("214-2.0.0 Commands").contains("214 2.0.0 See RFC 5321");
      c.cmd("STARTTLS").expect("502 5.5.1");
      c.cmd("EXPN list").expect("502 5.5.1");
      c.cmd("BDAT 10 LAST").expect("502 5.5.1");
      c.cmd("FOO").expect("500 5.5.1");
      c.cmd("QUIT").expect("221 2.0.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void sequenceErrors() throws Exception {
    try (LineClient c = connect()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("503 5.5.1 Send EHLO/HELO first");
      c.cmd("HELO client.example").expect("250 ");
      c.cmd("RCPT TO:<abcdefghij@tempalias.test>").expect("503 5.5.1 Need MAIL");
      c.cmd("DATA").expect("503 5.5.1 Need MAIL");
      c.cmd("MAIL FROM:<a@b.example>").expect("250 2.1.0");
      c.cmd("MAIL FROM:<a@b.example>").expect("503 5.5.1 Nested MAIL");
      c.cmd("DATA").expect("554 5.5.1 No valid recipients");
      c.cmd("RSET").expect("250 ");
      c.cmd("RCPT TO:<abcdefghij@tempalias.test>").expect("503 5.5.1");
    }
  }

  @Test
  void mailFromVariants() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("MAIL FROM:<>").expect("250 2.1.0");
      c.cmd("RSET").expect("250 ");
      c.cmd("MAIL FROM:<a@b.example> SIZE=1000 BODY=8BITMIME").expect("250 2.1.0");
      c.cmd("RSET").expect("250 ");
      c.cmd("MAIL FROM:<a@b.example> SIZE=1001").expect("552 5.3.4");
      c.cmd("MAIL FROM:<a@b.example> BODY=BINARYMIME").expect("555 5.5.4");
      c.cmd("MAIL FROM:<a@b.example> RET=HDRS").expect("555 5.5.4");
      c.cmd("MAIL FROM:a@b.example").expect("501 5.1.7");
      c.cmd("MAIL TO:<a@b.example>").expect("501 5.1.7");
      c.cmd("MAIL FROM:<jörg@bücher.example>").expect("553 5.6.7");
      c.cmd("MAIL FROM:<jörg@bücher.example> SMTPUTF8").expect("250 2.1.0");
      c.cmd("RSET").expect("250 ");
      c.cmd("MAIL FROM:<\"quoted sender\"@b.example>").expect("250 2.1.0");
    }
  }

  @Test
  void openRelayAttemptsRefused() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("MAIL FROM:<spammer@evil.example>").expect("250 ");
      for (String rcpt : new String[] {
          "victim@other.example",
          "abcdefghij@tempalias.test.evil.example",
          "victim%other.example@tempalias.test",
          "other.example!victim@tempalias.test",
          "victim@other.example@tempalias.test",
          "@tempalias.test:victim@other.example",
          "@tempalias.test,@relay.example:abcdefghij@tempalias.test",
          "\"victim@other.example\"@tempalias.test",
          "\"abcdefghij\"@tempalias.test",
          "abcdefghij@[127.0.0.1]",
          "abcdefghij@[IPv6:::1]"}) {
        c.cmd("RCPT TO:<" + rcpt + ">").expect("550 5.7.1");
      }
      c.cmd("RCPT TO:<victim@OTHER.example>").expect("550 5.7.1");
      c.cmd("RCPT TO:<postmaster>").expect("550 5.1.1");
      c.cmd("RCPT TO:<not-an-alias@tempalias.test>").expect("550 5.1.1");
      c.cmd("RCPT TO:<short@ALIAS.example>").expect("550 5.1.1");
      c.cmd("RCPT TO:victim@other.example").expect("501 5.1.3");
      c.cmd("RCPT TO:<abcdefghij@tempalias.test> NOTIFY=NEVER").expect("555 5.5.4");
      c.cmd("DATA").expect("554 5.5.1");
    }
  }

  @Test
  void storeUnreachableOrSlowIs451() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      // No store deployed: no handler for the claim address.
      c.cmd("RCPT TO:<abcdefghij@tempalias.test>").expect("451 4.3.0");
    }
    // A store that never answers: the claim times out after storeTimeoutMillis.
    var silent = vertx.eventBus().consumer(StoreAddress.CLAIM, msg -> {});
    await(silent.completion());
    try (LineClient c = ehlo()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      long t0 = System.nanoTime();
      c.cmd("RCPT TO:<Abcdefghij@Tempalias.Test>").expect("451 4.3.0");
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isGreaterThanOrEqualTo(250);
    } finally {
      await(silent.unregister());
    }
  }

  @Test
  void aSenderThatIsNoMailboxAndDuplicateParametersAreTheRightErrors() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("MAIL FROM:<a@b@example.net>").expect("501 5.1.7");
      c.cmd("MAIL FROM:<a@b.example> SIZE=10 SIZE=20").expect("555 5.5.4");
      c.cmd("MAIL FROM:<a@b.example> SIZE=").expect("555 5.5.4");
      c.cmd("MAIL FROM:<\"a@b\"@example.net>").expect("250 2.1.0"); // quoted: a real mailbox
      c.cmd("RCPT TO:<abcdefghij@tempalias.test> NOTIFY=NEVER NOTIFY=NEVER").expect("555 5.5.4");
    }
  }

  @Test
  void junkCommandsEndTheSessionAtTheLimit() throws Exception {
    Vertx v = Vertx.vertx();
    try {
      int p = GatewayHarness.deploy(v, new JsonObject().put("maxJunkCommands", 5)).actualPort();
      try (LineClient c = new LineClient(p)) {
        c.expect("220 ");
        c.cmd("EHLO x").expect("250 ");
        c.send("NOOP\r\nRSET\r\nVRFY x\r\nHELP\r\nNOOP\r\n");
        c.expectAll("250 ", "250 ", "252 ", "214 ", "250 ");
        c.cmd("NOOP").expect("421 4.7.0");
        assertThat(c.closedByServer()).isTrue();
      }
    } finally {
      await(v.close());
    }
  }

  @Test
  void fiftySessionsFromOneSendingMtaAreWelcomeByDefault() throws Exception {
    Vertx v = Vertx.vertx();
    java.util.List<LineClient> sessions = new java.util.ArrayList<>();
    try {
      int p = GatewayHarness.deploy(v, new JsonObject()).actualPort();
      for (int i = 0; i < 50; i++) {
        LineClient c = new LineClient(p);
        sessions.add(c);
        c.expect("220 ");
      }
      // ... and the 51st (counted across both instances) is one too many.
      try (LineClient c = new LineClient(p)) {
        c.expect("421 4.7.0");
      }
      try (LineClient c = new LineClient("127.0.0.2", p)) {
        c.expect("220 ");
      }
    } finally {
      for (LineClient c : sessions) {
        c.close();
      }
      await(v.close());
    }
  }

  @Test
  void pipelinedBatchRepliesInOrder() throws Exception {
    try (LineClient c = connect()) {
      c.send("EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<x@other.example>\r\n"
          + "RCPT TO:<abcdefghij@tempalias.test>\r\nRCPT TO:<y@other.example>\r\nDATA\r\nRSET\r\nNOOP\r\n"
          + "MAIL FROM:<>\r\nVRFY x\r\nQUIT\r\n");
      c.expectAll("250 SMTPUTF8", "250 2.1.0", "550 5.7.1", "451 4.3.0", "550 5.7.1", "554 5.5.1", "250 2.0.0",
          "250 2.0.0", "250 2.1.0", "252 ", "221 ");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void byteSplitCommands() throws Exception {
    try (LineClient c = connect()) {
      byte[] bytes = "EHLO client.example\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<v@other.example>\r\nNOOP\r\n"
          .getBytes(StandardCharsets.US_ASCII);
      for (byte b : bytes) {
        c.sendBytes(new byte[] {b});
        Thread.yield();
      }
      c.expectAll("250 SMTPUTF8", "250 2.1.0", "550 5.7.1", "250 2.0.0");
    }
  }

  @Test
  void lineLengthLimit() throws Exception {
    try (LineClient c = ehlo()) {
      c.cmd("NOOP " + "x".repeat(4096 - 7)).expect("250 2.0.0");
      c.cmd("NOOP " + "x".repeat(4096 - 6)).expect("500 5.5.2");
      // A line far past the bound, in pieces: dropped up to its LF, the session goes on.
      c.send("NOOP ");
      for (int i = 0; i < 20; i++) {
        c.send("y".repeat(10_000));
      }
      c.send("\r\nNOOP\r\n");
      c.expectAll("500 5.5.2", "250 2.0.0");
    }
  }

  @Test
  void garbageInput() throws Exception {
    try (LineClient c = ehlo()) {
      c.send("NOOP\n").expect("500 5.5.2");
      c.sendBytes(new byte[] {'N', 'O', 'O', 'P', ' ', (byte) 0xff, (byte) 0xfe, '\r', '\n'}).expect("501 5.5.4");
      c.sendBytes(new byte[] {'N', 'O', 0, 'P', '\r', '\n'}).expect("501 5.5.4");
      c.cmd("NOOP").expect("250 ");
    }
  }

  @Test
  void tooManyBadCommandsCloses() throws Exception {
    try (LineClient c = connect()) {
      c.send("GET / HTTP/1.1\r\nHost: x\r\nUser-Agent: y\r\nAccept: */*\r\n\r\n"
          + "a\r\nb\r\nc\r\nd\r\ne\r\nf\r\ng\r\nh\r\ni\r\nj\r\n");
      for (int i = 0; i < 9; i++) {
        c.expect("500 5.5.1");
      }
      c.expect("500 5.5.1");
      c.expect("421 4.7.0");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void idleTimeoutSends421() throws Exception {
    Vertx v = Vertx.vertx();
    try {
      int p = GatewayHarness.deploy(v, new JsonObject().put("idleTimeoutSeconds", 1)).actualPort();
      try (LineClient c = new LineClient(p)) {
        c.expect("220 ");
        c.cmd("EHLO x").expect("250 ");
        long t0 = System.nanoTime();
        c.expect("421 4.4.2");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isBetween(700L, 5000L);
        assertThat(c.closedByServer()).isTrue();
      }
    } finally {
      await(v.close());
    }
  }

  @Test
  void connectionLimits() throws Exception {
    Vertx v = Vertx.vertx();
    try {
      int p = GatewayHarness.deploy(v, new JsonObject().put("maxConnectionsPerIp", 2).put("maxConnections", 3))
          .actualPort();
      try (LineClient a = new LineClient(p); LineClient b = new LineClient(p)) {
        a.expect("220 ");
        b.expect("220 ");
        try (LineClient c = new LineClient(p)) {
          c.expect("421 4.7.0");
          assertThat(c.closedByServer()).isTrue();
        }
        a.cmd("QUIT").expect("221 ");
        assertThat(a.closedByServer()).isTrue();
        GatewayHarness.waitFor("a slot", () -> {
          try (LineClient c = new LineClient(p)) {
            return c.reply().startsWith("220 ");
          } catch (Exception e) {
            return false;
          }
        });
      }
      int q = GatewayHarness.deploy(v, new JsonObject().put("maxConnections", 1)).actualPort();
      try (LineClient a = new LineClient(q)) {
        a.expect("220 ");
        try (LineClient c = new LineClient(q)) {
          c.expect("421 4.3.2");
        }
      }
    } finally {
      await(v.close());
    }
  }

  @Test
  void gracefulShutdownSends421ToIdleSessions() throws Exception {
    Vertx v = Vertx.vertx();
    try {
      GatewayHarness.Deployed gw = GatewayHarness.deploy(v, new JsonObject().put("shutdownGraceSeconds", 5));
      int p = gw.actualPort();
      try (LineClient c = new LineClient(p)) {
        c.expect("220 ");
        c.cmd("EHLO x").expect("250 ");
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        var undeployed = v.undeploy(gw.deploymentID());
        c.expect("421 4.3.2");
        assertThat(c.closedByServer()).isTrue();
        await(undeployed);
      }
      // The shared listener closes with the last instance; give the event loops a moment.
      GatewayHarness.waitFor("the port to close", () -> {
        try {
          new LineClient(p).close();
          return false;
        } catch (java.io.IOException refused) {
          return true;
        }
      });
    } finally {
      await(v.close());
    }
  }

  @Test
  void badConfigFailsStartNamingTheKey() {
    Vertx v = Vertx.vertx();
    try {
      var f = v.deployVerticle(SmtpGatewayVerticle::new,
          new io.vertx.core.DeploymentOptions().setConfig(GatewayHarness.config(new JsonObject().put("windowChunks", 0))));
      assertThat(f.toCompletionStage().toCompletableFuture()).failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat().withMessageContaining("smtp.windowChunks");
      var g = v.deployVerticle(SmtpGatewayVerticle::new, new io.vertx.core.DeploymentOptions().setConfig(
          GatewayHarness.config(new JsonObject().put("tlsCert", "/nonexistent.pem").put("tlsKey", "/nonexistent.pem"))));
      assertThat(g.toCompletionStage().toCompletableFuture()).failsWithin(10, TimeUnit.SECONDS)
          .withThrowableThat().withMessageContaining("smtp.tlsCert");
    } finally {
      v.close();
    }
  }

  @Test
  void swaksSeesTheRelayRefusal() throws Exception {
    Swaks.Result r = Swaks.run(port, "--from", "a@b.example", "--to", "victim@other.example", "--quit-after", "RCPT");
    assertThat(r.output()).contains("<-  250-PIPELINING", "<** 550 5.7.1 Relay access denied");
  }
}
