package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;
import static org.tempalias.smtp.GatewayHarness.waitFor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.ScriptedSmarthost.Step;
import org.tempalias.testsupport.Swaks;
import org.tempalias.testsupport.TestRedis;

/** Issue 4's acceptance: gateway + real alias-store + real relay + a recording smarthost. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MailPathTest {
  static final String DOMAIN = "tempalias.test";
  static final Pattern RECEIVED = Pattern.compile(
      "Received: from client\\.example \\(\\[127\\.0\\.0\\.1\\]\\)\r\n\tby mx\\.tempalias\\.test \\(tempalias\\) "
          + "with ESMTP id [0-9A-Z]{12}(\r\n\tfor <[a-z0-9]{10}@tempalias\\.test>)?; [A-Z][a-z]{2}, \\d{1,2} [A-Z][a-z]{2} "
          + "\\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}\r\n");

  static TestRedis redis;
  static Vertx vertx;
  static ScriptedSmarthost smarthost;
  static int port;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    Backends.deployStore(vertx, redis);
    smarthost = new ScriptedSmarthost();
    await(smarthost.start(vertx));
    Backends.deployRelay(vertx, smarthost.port(), new JsonObject());
    port = GatewayHarness.deploy(vertx, new JsonObject()
        .put("maxConnectionsPerIp", 200).put("maxTransactionsPerClient", 200).put("maxMessageBytes", 1_000_000).put("chunkBytes", 4096)).actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) {
      await(vertx.close());
    }
    if (redis != null) {
      redis.stop();
    }
  }

  @BeforeEach
  void reset() {
    if (smarthost != null) {
      smarthost.delivered.clear();
      smarthost.replies.clear();
    }
  }

  static LineClient session(int port) throws Exception {
    LineClient c = new LineClient(port);
    c.expect("220 ");
    c.cmd("EHLO client.example").expect("250 ");
    return c;
  }

  /** One transaction; returns the final reply (or the first refusal). */
  static String transaction(LineClient c, String from, String rcpt, byte[] data) throws Exception {
    c.cmd("MAIL FROM:<" + from + ">").expect("250 ");
    String r = c.cmd("RCPT TO:<" + rcpt + ">").reply();
    if (!r.startsWith("250")) {
      c.cmd("RSET").expect("250 ");
      return r;
    }
    c.cmd("DATA").expect("354 ");
    c.sendBytes(data);
    c.send(".\r\n");
    return c.reply();
  }

  static byte[] simpleMessage(String subject) {
    return ("From: a@b.example\r\nSubject: " + subject + "\r\n\r\nHello\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The SRS0 form (RFC-less but libsrs2's) of {@code local@domain} in our SRS domain. */
  static String srs0(String domain, String local) {
    return "SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=" + Pattern.quote(domain) + "=" + Pattern.quote(local) + "@" + DOMAIN;
  }

  static String stripReceived(String s) {
    var m = RECEIVED.matcher(s);
    assertThat(m.lookingAt()).as("our Received header first in:\n" + s.substring(0, Math.min(400, s.length()))).isTrue();
    return s.substring(m.end());
  }

  @Test
  void bodyArrivesByteIdenticalAfterOurReceivedHeader() throws Exception {
    String aid = Backends.createAlias(vertx, "target@dest.example", 5);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("From: sender@b.example\r\nSubject: =?utf-8?q?t=C3=A9st?=\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes("8-bit: ".getBytes(StandardCharsets.US_ASCII));
    for (int b = 0x80; b <= 0xff; b++) {
      body.write(b);
    }
    body.writeBytes("\r\n..leading dot (stuffed)\r\n...two\r\n.\tdot-tab\r\n".getBytes(StandardCharsets.US_ASCII));
    body.writeBytes(("x".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    body.writeBytes("Received: in the body is not a header\r\nlast line\r\n".getBytes(StandardCharsets.US_ASCII));
    byte[] wire = body.toByteArray();
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<sender@b.example> BODY=8BITMIME SIZE=" + wire.length).expect("250 ");
      c.cmd("RCPT TO:<" + aid.toUpperCase() + "@Tempalias.Test>").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.sendBytes(wire).send(".\r\n");
      c.expect("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    ScriptedSmarthost.Delivered m = smarthost.delivered.get(0);
    assertThat(m.sender()).matches(srs0("b.example", "sender")); // SRS (see SrsMailPathTest)
    assertThat(m.recipients()).containsExactly("target@dest.example");
    assertThat(stripReceived(m.text()).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(wire);
  }

  @Test
  void bodySentInUnevenPiecesArrivesByteIdentical() throws Exception {
    String aid = Backends.createAlias(vertx, "pieces@dest.example", 5);
    StringBuilder text = new StringBuilder("From: sender@b.example\r\nSubject: pieces\r\n\r\n");
    for (int i = 0; i < 300; i++) {
      text.append(i % 7 == 0 ? ".." : "").append("line ").append(i).append(" ").append("x".repeat(i % 90)).append("\r\n");
    }
    byte[] wire = text.toString().getBytes(StandardCharsets.US_ASCII);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<sender@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      // Pieces of 1 to 13 bytes, each flushed: lines span reads, CR and LF part.
      int from = 0;
      for (int n = 0; from < wire.length; n++) {
        int len = Math.min(wire.length - from, 1 + n % 13);
        c.sendBytes(Arrays.copyOfRange(wire, from, from + len));
        from += len;
      }
      c.send(".").send("\r").send("\n").expect("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text()).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(wire);
  }

  @Test
  void largeBodyInRandomReadsWithTheNextCommandBehindTheDotArrivesByteIdentical() throws Exception {
    // The bulk DATA path: runs of whole lines out of large reads, lines spanning reads, the relay
    // window filling (900 KiB against a window of 8 chunks of 4 KiB here), and a command in the same write as
    // the final dot, which must be read as a command once the data ended.
    String aid = Backends.createAlias(vertx, "bulk@dest.example", 5);
    java.util.Random random = new java.util.Random(4);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes("From: sender@b.example\r\nSubject: bulk\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    while (body.size() < 900 * 1024) {
      String line = (random.nextInt(9) == 0 ? ".." : "") + "y".repeat(random.nextInt(990));
      body.writeBytes((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }
    byte[] wire = body.toByteArray();
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<sender@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      int from = 0;
      while (from < wire.length) {
        int len = Math.min(wire.length - from, 1 + random.nextInt(96 * 1024));
        c.sendBytes(Arrays.copyOfRange(wire, from, from + len));
        from += len;
      }
      c.send(".\r\nMAIL FROM:<next@b.example>\r\n");
      c.expectAll("250 ", "250 2.1.0");
      c.cmd("QUIT").expect("221 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text()).getBytes(StandardCharsets.ISO_8859_1)).isEqualTo(wire);
  }

  @Test
  void anOverLongDataLineWhoseCrEndsAReadIsRefusedAtItsTerminator() throws Exception {
    // The line passes the parser's bound (64 KiB) in a read that ends with its CR; the LF comes
    // with the next read. That CRLF must count as a line end, so the terminator right after it
    // ends the data (the reply used to be lost and the next command taken as data). The pause
    // only makes that read boundary likely; were the reads merged, the test would still pass.
    String aid = Backends.createAlias(vertx, "longline@dest.example", 1);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: long\r\n\r\n" + "x".repeat(60_000));
      Thread.sleep(100);
      c.send("x".repeat(6_000) + "\r");
      Thread.sleep(200);
      c.send("\n.\r\n").expect("500 5.5.2");
      c.cmd("QUIT").expect("221 ");
    }
    assertThat(smarthost.delivered).isEmpty();
  }

  @Test
  void clientClosingAfterDotCrWithoutLfDeliversNothing() throws Exception {
    // "CRLF . CR" and then the end of the input is no end of data (RFC 5321 §4.1.1.4): the message
    // dies with the connection, and its use is released, not spent.
    String aid = Backends.createAlias(vertx, "halfclosed@dest.example", 1);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: cut\r\n\r\nnever complete\r\n.\r").halfClose();
      assertThat(c.line()).as("nothing but the close after the cut").isNull();
    }
    try (LineClient c = session(port)) {
      assertThat(eventually(c, aid, "whole")).startsWith("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text())).contains("Subject: whole").doesNotContain("cut");
  }

  @Test
  void maxUsageThreeDeliversThreeOnOneConnectionThenRefuses() throws Exception {
    String aid = Backends.createAlias(vertx, "three@dest.example", 3);
    try (LineClient c = session(port)) {
      for (int i = 1; i <= 3; i++) {
        assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("n" + i))).startsWith("250 ");
      }
      assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("n4"))).startsWith("550 5.1.1");
    }
    waitFor("3 deliveries", () -> smarthost.delivered.size() == 3);
  }

  @Test
  void pipelinedTransactionAndNullSender() throws Exception {
    String aid = Backends.createAlias(vertx, "pipe@dest.example", 2);
    try (LineClient c = new LineClient(port)) {
      c.expect("220 ");
      c.send("EHLO client.example\r\nMAIL FROM:<>\r\nRCPT TO:<nobody@other.example>\r\nRCPT TO:<" + aid + "@"
          + DOMAIN + ">\r\nRCPT TO:<" + aid + "@" + DOMAIN + ">\r\nDATA\r\n");
      c.expectAll("250 ", "250 2.1.0", "550 5.7.1", "250 ", "250 ", "354 ");
      c.send("Subject: pipelined\r\n\r\nbody\r\n.\r\nQUIT\r\n");
      c.expectAll("250 ", "221 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    // The same alias twice is one claim and one upstream recipient; max-usage 2 leaves one use.
    assertThat(smarthost.delivered.get(0).recipients()).containsExactly("pipe@dest.example");
    assertThat(smarthost.delivered.get(0).sender()).isEmpty();
    try (LineClient c = session(port)) {
      assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("2nd"))).startsWith("250 ");
      assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("3rd"))).startsWith("550 5.1.1");
    }
  }

  @Test
  void twoAliasesInOneTransaction() throws Exception {
    String a = Backends.createAlias(vertx, "one@dest.example", 1);
    String b = Backends.createAlias(vertx, "two@dest.example", 1);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + a + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RCPT TO:<" + b + "@alias.example>").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: two\r\n\r\nx\r\n.\r\n").expect("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(smarthost.delivered.get(0).recipients()).containsExactly("one@dest.example", "two@dest.example");
    assertThat(stripReceived(smarthost.delivered.get(0).text())).startsWith("Subject: two");
  }

  @Test
  void fiftyConcurrentDeliveriesNeverExceedMaxUsageTen() throws Exception {
    String aid = Backends.createAlias(vertx, "race@dest.example", 10);
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        int n = i;
        Callable<String> job = () -> {
          try (LineClient c = session(port)) {
            return transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("race " + n));
          }
        };
        results.add(pool.submit(job));
      }
      int delivered = 0;
      for (Future<String> f : results) {
        String r = f.get(50, TimeUnit.SECONDS);
        if (r.startsWith("250")) {
          delivered++;
        } else {
          assertThat(r).matches("(?s)(550 5\\.1\\.1|451 4\\.2\\.1).*");
        }
      }
      assertThat(delivered).isLessThanOrEqualTo(10);
      assertThat(smarthost.delivered).hasSize(delivered);
      // Whatever was deferred (4.2.1) can still be sent until the tenth use is spent.
      try (LineClient c = session(port)) {
        while (delivered < 10) {
          String r = transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("retry"));
          if (r.startsWith("250")) {
            delivered++;
          } else {
            assertThat(r).startsWith("451 4.2.1");
            Thread.sleep(50);
          }
        }
        assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("11th"))).startsWith("550 5.1.1");
      }
      assertThat(smarthost.delivered).hasSize(10);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void smarthostTemporaryOrPermanentFailureAtEndCostsNoUse() throws Exception {
    String aid = Backends.createAlias(vertx, "fail@dest.example", 1);
    try (LineClient c = session(port)) {
      smarthost.replies.put(Step.END, "451 4.3.0 Try later, fail@dest.example");
      String r = transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("451"));
      assertThat(r).startsWith("451 4.3.0").doesNotContain("fail@dest.example");
      smarthost.replies.put(Step.END, "554 5.7.1 Rejected");
      assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("554"))).startsWith("554 5.7.1");
      smarthost.replies.put(Step.END, "250 2.0.0 Ok");
      assertThat(eventually(c, aid, "ok")).startsWith("250 ");
      assertThat(transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage("spent"))).startsWith("550 5.1.1");
    }
  }

  /** Retries while the previous transaction's release is still on its way (451 4.2.1). */
  static String eventually(LineClient c, String aid, String subject) throws Exception {
    for (int i = 0; i < 100; i++) {
      String r = transaction(c, "a@b.example", aid + "@" + DOMAIN, simpleMessage(subject));
      if (!r.startsWith("451 4.2.1")) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("alias stayed busy");
  }

  @Test
  void smarthostRefusingTheRecipientIsPassedThroughAndReleased() throws Exception {
    String aid = Backends.createAlias(vertx, "refused@dest.example", 1);
    try (LineClient c = session(port)) {
      smarthost.replies.put(Step.RCPT, "550 5.1.1 <refused@dest.example>: Recipient address rejected");
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      String r = c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").reply();
      assertThat(r).startsWith("550 5.1.1").contains(aid + "@" + DOMAIN).doesNotContain("refused@dest.example");
      c.cmd("RSET").expect("250 ");
      smarthost.replies.put(Step.RCPT, "250 2.1.5 Ok");
      assertThat(eventually(c, aid, "after refusal")).startsWith("250 ");
    }
  }

  @Test
  void rsetAndClientDropMidDataDeliverNothingAndCostNoUse() throws Exception {
    String aid = Backends.createAlias(vertx, "drop@dest.example", 1);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RSET").expect("250 ");
    }
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      waitForRcpt(c, aid);
      c.cmd("DATA").expect("354 ");
      c.send("Subject: half\r\n\r\n" + "line\r\n".repeat(5000));
    }
    try (LineClient c = session(port)) {
      assertThat(eventually(c, aid, "complete")).startsWith("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text())).contains("complete");
  }

  static void waitForRcpt(LineClient c, String aid) throws Exception {
    for (int i = 0; i < 100; i++) {
      String r = c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").reply();
      if (r.startsWith("250")) {
        return;
      }
      assertThat(r).startsWith("451 4.2.1");
      Thread.sleep(50);
    }
    throw new AssertionError("alias stayed busy");
  }

  @Test
  void refusalsAtEndOfDataDeliverNothing() throws Exception {
    String aid = Backends.createAlias(vertx, "refuse@dest.example", 1);
    StringBuilder loop = new StringBuilder();
    for (int i = 0; i < 31; i++) {
      loop.append("Received: from hop").append(i).append("\r\n");
    }
    try (LineClient c = session(port)) {
      String r = transaction(c, "a@b.example", aid + "@" + DOMAIN, (loop + "\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
      assertThat(r).startsWith("554 5.4.6");
      byte[] big = ("y".repeat(98) + "\r\n").repeat(10_500).getBytes(StandardCharsets.US_ASCII);
      assertThat(eventuallyWith(c, aid, big)).startsWith("552 5.3.4");
      // Smuggling: the bare-LF "end" and the commands behind it are data, never a second message.
      byte[] smuggle = ("Subject: s\r\n\r\nhi\n.\nMAIL FROM:<evil@x.example>\nRCPT TO:<" + aid + "@" + DOMAIN
          + ">\nDATA\nSubject: smuggled\r\n").getBytes(StandardCharsets.US_ASCII);
      assertThat(eventuallyWith(c, aid, smuggle)).startsWith("550 5.6.0");
      c.cmd("NOOP").expect("250 2.0.0");
      assertThat(eventually(c, aid, "finally")).startsWith("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text())).contains("finally").doesNotContain("smuggled");
  }

  static String eventuallyWith(LineClient c, String aid, byte[] data) throws Exception {
    for (int i = 0; i < 100; i++) {
      String r = transaction(c, "a@b.example", aid + "@" + DOMAIN, data);
      if (!r.startsWith("451 4.2.1")) {
        return r;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("alias stayed busy");
  }

  @Test
  void smarthostDownIs451AtRcptAndCostsNoUse() throws Exception {
    String aid = Backends.createAlias(vertx, "down@dest.example", 1);
    Vertx other = Vertx.vertx();
    try {
      Backends.deployStore(other, redis);
      Backends.deployRelay(other, org.tempalias.testsupport.Ports.free(), new JsonObject());
      int p = GatewayHarness.deploy(other, new JsonObject()).actualPort();
      try (LineClient c = session(p)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("451 4.4.");
      }
      // The release went out from the other node; its store must stay up until it is done.
      try (LineClient c = session(port)) {
        assertThat(eventually(c, aid, "after outage")).startsWith("250 ");
      }
    } finally {
      await(other.close());
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
  }

  @Test
  void dataInProgressFinishesDuringGracefulShutdown() throws Exception {
    String aid = Backends.createAlias(vertx, "grace@dest.example", 1);
    GatewayHarness.Deployed gw = GatewayHarness.deploy(vertx, new JsonObject().put("shutdownGraceSeconds", 10));
    try (LineClient busy = session(gw.actualPort()); LineClient idle = session(gw.actualPort())) {
      busy.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      busy.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      busy.cmd("DATA").expect("354 ");
      busy.send("Subject: grace\r\n\r\nfirst half\r\n");
      var undeployed = vertx.undeploy(gw.deploymentID());
      idle.expect("421 4.3.2");
      busy.send("second half\r\n.\r\n");
      busy.expect("250 ");
      busy.expect("421 4.3.2");
      await(undeployed);
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text())).endsWith("first half\r\nsecond half\r\n");
  }

  @Test
  void recipientLimitIs452AndTheTransactionStillDelivers() throws Exception {
    String a = Backends.createAlias(vertx, "limit1@dest.example", 1);
    String b = Backends.createAlias(vertx, "limit2@dest.example", 1);
    String third = Backends.createAlias(vertx, "limit3@dest.example", 1);
    GatewayHarness.Deployed gw = GatewayHarness.deploy(vertx, new JsonObject().put("maxRecipients", 2));
    try (LineClient c = session(gw.actualPort())) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + a + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RCPT TO:<" + b + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RCPT TO:<" + third + "@" + DOMAIN + ">").expect("452 4.5.3");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: two of three\r\n\r\nx\r\n.\r\n").expect("250 ");
    } finally {
      await(vertx.undeploy(gw.deploymentID()));
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(smarthost.delivered.get(0).recipients()).containsExactly("limit1@dest.example", "limit2@dest.example");
    try (LineClient c = session(port)) {
      assertThat(eventually(c, third, "third was never claimed")).startsWith("250 ");
    }
  }

  @Test
  void swaksDeliversThroughTheWholePath() throws Exception {
    String aid = Backends.createAlias(vertx, "swaks@dest.example", 1);
    Swaks.Result r = Swaks.run(port, "--from", "a@b.example", "--to", aid + "@" + DOMAIN, "--pipeline",
        "--header", "Subject: via swaks", "--body", "Hello from swaks\n.leading dot");
    assertThat(r.exit()).as(r.output()).isZero();
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    assertThat(stripReceived(smarthost.delivered.get(0).text())).contains("Subject: via swaks", "\r\n..leading dot\r\n");
  }

  @Test
  void smtputf8SenderIsRelayedAndTraced() throws Exception {
    String aid = Backends.createAlias(vertx, "utf8@dest.example", 1);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<jörg@bücher.example> SMTPUTF8 BODY=8BITMIME").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: Grüße\r\n\r\nÄÖÜ\r\n.\r\n").expect("250 ");
    }
    waitFor("delivery", () -> smarthost.delivered.size() == 1);
    ScriptedSmarthost.Delivered m = smarthost.delivered.get(0);
    assertThat(m.sender()).matches(srs0("bücher.example", "jörg"));
    String data = m.data().toString(StandardCharsets.UTF_8);
    assertThat(data).contains(" with UTF8SMTP id ").endsWith("\r\nSubject: Grüße\r\n\r\nÄÖÜ\r\n");
  }
}
