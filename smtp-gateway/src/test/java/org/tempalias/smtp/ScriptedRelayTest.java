package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;
import static org.tempalias.smtp.GatewayHarness.waitFor;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.TestRedis;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.SmtpReply;

/**
 * The gateway's side of the relay protocol against a scripted relay peer on the event bus (real
 * store): the window bound and sequence numbers, a relay that is absent or stops acknowledging,
 * ABORT on RSET, and the PING probe: a relay that vanishes (its consumers gone, or still
 * registered but deaf, as a killed cluster node looks until the cluster notices) fails the
 * request within the probe bounds, while a slow relay that answers PING is waited for. The real
 * relay is exercised in {@link MailPathTest}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScriptedRelayTest {
  static final String DOMAIN = "tempalias.test";
  static TestRedis redis;
  static Vertx vertx;
  static int port;
  /** A second gateway with long request bounds and quick probes: only PING can end a wait early. */
  static int probePort;
  static final long PROBE_MILLIS = 300;
  /** The relay protocol is the subject here, not the sender rewriting: senders go as they are. */
  static final JsonObject NO_SRS = new JsonObject().put("srs", new JsonObject().put("enabled", false));

  /** What the scripted relay saw. */
  static final List<String> ops = new CopyOnWriteArrayList<>();
  static final List<Long> seqs = new CopyOnWriteArrayList<>();
  static final List<String> recipients = new CopyOnWriteArrayList<>();
  static final AtomicInteger unacked = new AtomicInteger();
  static final AtomicInteger maxUnacked = new AtomicInteger();
  static volatile boolean acking = true;
  static volatile Buffer data = Buffer.buffer();
  static final AtomicInteger pings = new AtomicInteger();
  /** Whether the scripted relay says it takes the data's last bytes with END (a current relay). */
  static volatile boolean endTakesData;
  /**
   * Where the scripted relay vanishes without replying: "OPEN", "END" or null; "DATA": it answers
   * DATA, then its transaction is gone (as after the relay's idle timeout).
   */
  static volatile String vanishAt;
  /** Vanish by going deaf (consumer stays, nothing is answered) rather than by unregistering. */
  static volatile boolean deaf;
  static volatile long openDelayMillis;
  static volatile long endDelayMillis;
  static volatile MessageConsumer<JsonObject> opener;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    Backends.deployStore(vertx, redis);
    port = GatewayHarness.deploy(vertx, new JsonObject()
        .put("chunkBytes", 1024).put("windowChunks", 2).put("relayAckTimeoutMillis", 500)
        .put("relayOpenTimeoutMillis", 500), GatewayHarness.INSTANCES, NO_SRS).actualPort();
    probePort = GatewayHarness.deploy(vertx, new JsonObject()
        .put("relayOpenTimeoutMillis", 30_000).put("relayCommandTimeoutMillis", 30_000)
        .put("relayAckTimeoutMillis", 30_000).put("relayEndTimeoutMillis", 30_000)
        .put("relayProbeAfterMillis", PROBE_MILLIS).put("relayProbeIntervalMillis", PROBE_MILLIS)
        .put("relayProbeTimeoutMillis", PROBE_MILLIS), GatewayHarness.INSTANCES, NO_SRS).actualPort();
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
  void reset() throws Exception {
    ops.clear();
    seqs.clear();
    recipients.clear();
    maxUnacked.set(0);
    unacked.set(0);
    acking = true;
    data = Buffer.buffer();
    pings.set(0);
    vanishAt = null;
    endTakesData = false;
    deaf = false;
    openDelayMillis = 0;
    endDelayMillis = 0;
    startRelay();
  }

  static void startRelay() throws Exception {
    if (opener != null) {
      await(opener.unregister());
    }
    opener = vertx.eventBus().consumer(RelayAddress.OPEN, ScriptedRelayTest::open);
    await(opener.completion());
  }

  static void stopRelay() throws Exception {
    await(opener.unregister());
    opener = null;
  }

  private static void open(Message<JsonObject> msg) {
    RelayOpen open = RelayOpen.fromJson(msg.body());
    ops.add("OPEN " + open.reversePath());
    // As the relay does: the address follows from the id and exists before the OPEN reply.
    String address = RelayAddress.transaction(open.transactionId());
    MessageConsumer<Object> tx = vertx.eventBus().consumer(address);
    boolean[] silent = {false};
    tx.handler(m -> {
      String op = m.headers().get(RelayOp.HEADER);
      if (silent[0]) {
        ops.add(op + " unanswered");
        return;
      }
      if (RelayOp.PING.name().equals(op)) {
        pings.incrementAndGet();
        m.reply(new JsonObject());
        return;
      }
      ops.add(op);
      switch (RelayOp.valueOf(op)) {
        case RCPT -> {
          recipients.add(RelayRcpt.fromJson((JsonObject) m.body()).recipient());
          m.reply(SmtpReply.of(250, "2.1.5", "Ok").toJson());
        }
        case DATA -> {
          m.reply(SmtpReply.of(354, null, "Go ahead").toJson());
          if ("DATA".equals(vanishAt)) {
            tx.unregister();
          }
        }
        case CHUNK -> {
          seqs.add(Long.parseLong(m.headers().get(RelayOp.SEQ_HEADER)));
          data.appendBuffer((Buffer) m.body());
          maxUnacked.accumulateAndGet(unacked.incrementAndGet(), Math::max);
          if (acking) {
            vertx.setTimer(3, id -> {
              unacked.decrementAndGet();
              m.reply(new JsonObject());
            });
          }
        }
        case END -> {
          if (m.body() instanceof Buffer last) {
            data.appendBuffer(last); // a relay that takes the data's last bytes with END
          }
          if ("END".equals(vanishAt)) {
            vanish(tx, silent);
          } else {
            later(endDelayMillis, () -> {
              m.reply(new FinalReply(SmtpReply.of(250, "2.0.0", "Ok: queued as SCRIPTED"), true).toJson());
              tx.unregister();
            });
          }
        }
        case ABORT -> {
          m.reply(new JsonObject());
          tx.unregister();
        }
        default -> throw new IllegalStateException(op);
      }
    });
    tx.completion().onSuccess(v -> {
      if ("OPEN".equals(vanishAt)) {
        vanish(tx, silent);
      } else {
        later(openDelayMillis, () -> msg.reply(
            new RelayOpened(SmtpReply.of(250, "2.1.0", "Ok"), address, endTakesData).toJson()));
      }
    });
  }

  /** The relay instance dies: nothing it holds answers again (the OPEN door goes with it). */
  private static void vanish(MessageConsumer<Object> tx, boolean[] silent) {
    MessageConsumer<JsonObject> door = opener;
    if (door != null) {
      door.unregister();
    }
    if (deaf) {
      silent[0] = true;
    } else {
      tx.unregister();
    }
  }

  private static void later(long millis, Runnable action) {
    if (millis <= 0) {
      action.run();
    } else {
      vertx.setTimer(millis, id -> action.run());
    }
  }

  static LineClient session() throws Exception {
    return session(port);
  }

  static LineClient session(int gatewayPort) throws Exception {
    LineClient c = new LineClient(gatewayPort);
    c.expect("220 ");
    c.cmd("EHLO client.example").expect("250 ");
    return c;
  }

  @Test
  void chunksRespectTheWindowAndArriveInOrder() throws Exception {
    String aid = Backends.createAlias(vertx, "window@dest.example", 1);
    StringBuilder body = new StringBuilder("Subject: window\r\n\r\n");
    for (int i = 0; i < 5000; i++) {
      body.append("line ").append(i).append(i % 7 == 0 ? "\r\n..dotted\r\n" : "\r\n");
    }
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send(body + ".\r\n").expect("250 2.0.0 Ok: queued as SCRIPTED");
    }
    assertThat(recipients).containsExactly("window@dest.example");
    assertThat(maxUnacked.get()).isBetween(1, 2);
    assertThat(seqs).hasSizeGreaterThan(50);
    for (int i = 0; i < seqs.size(); i++) {
      assertThat(seqs.get(i)).isEqualTo((long) i);
    }
    String got = data.toString(StandardCharsets.ISO_8859_1);
    assertThat(got).startsWith("Received: from client.example").endsWith(body.toString());
    assertThat(ops).startsWith("OPEN a@b.example", "RCPT", "DATA").endsWith("END");
  }

  @Test
  void relayAbsentAtRcptIs451AndReleasesTheClaim() throws Exception {
    String aid = Backends.createAlias(vertx, "absent@dest.example", 1);
    stopRelay();
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("451 4.4.1");
      c.cmd("RSET").expect("250 ");
      startRelay();
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      MailPathTest.waitForRcpt(c, aid);
      c.cmd("DATA").expect("354 ");
      c.send("Subject: x\r\n\r\ny\r\n.\r\n").expect("250 ");
    }
  }

  @Test
  void relayLostMidDataIs451AtTheEndAndReleases() throws Exception {
    String aid = Backends.createAlias(vertx, "lost@dest.example", 1);
    acking = false;
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: lost\r\n\r\n" + "z".repeat(70) + "\r\n".repeat(1)).send(("q".repeat(70) + "\r\n").repeat(200));
      c.send(".\r\n").expect("451 4.4.2");
      waitFor("ABORT", () -> ops.contains("ABORT"));
      assertThat(ops).doesNotContain("END");
      acking = true;
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      MailPathTest.waitForRcpt(c, aid);
    }
  }

  @Test
  void rsetAndDisconnectAbortTheRelayTransaction() throws Exception {
    String aid = Backends.createAlias(vertx, "rset@dest.example", 5);
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RSET").expect("250 ");
      waitFor("ABORT after RSET", () -> ops.contains("ABORT"));
      ops.clear();
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      MailPathTest.waitForRcpt(c, aid);
      c.cmd("DATA").expect("354 ");
      c.send("Subject: cut\r\n\r\n" + "x\r\n".repeat(3000));
    }
    waitFor("ABORT after disconnect", () -> ops.contains("ABORT"));
    assertThat(ops).doesNotContain("END");
  }

  @Test
  void claimOutcomesFromTheRealStore() throws Exception {
    String aid = Backends.createAlias(vertx, "busy@dest.example", 1);
    try (LineClient a = session(); LineClient b = session()) {
      a.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      a.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      b.cmd("MAIL FROM:<b@b.example>").expect("250 ");
      // The only use is held by a's open transaction: the outcome is still open, so 4xx.
      b.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("451 4.2.1");
      b.cmd("RCPT TO:<zzzzzzzzzz@" + DOMAIN + ">").expect("550 5.1.1");
      a.cmd("DATA").expect("354 ");
      a.send("Subject: x\r\n\r\ny\r\n.\r\n").expect("250 ");
      b.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("550 5.1.1");
    }
  }

  @Test
  void overlongDataLineIsDroppedAndRefusedAtTheEnd() throws Exception {
    String aid = Backends.createAlias(vertx, "longline@dest.example", 1);
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: long\r\n\r\n");
      for (int i = 0; i < 30; i++) {
        c.send("w".repeat(10_000));
      }
      // The line's end and the terminator arrive together; only CRLF.CRLF ends the data.
      c.send("\r\n.\r\n").expect("500 5.5.2");
      waitFor("ABORT", () -> ops.contains("ABORT"));
      assertThat(ops).doesNotContain("END");
      c.cmd("NOOP").expect("250 2.0.0");
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      MailPathTest.waitForRcpt(c, aid);
    }
  }

  @ParameterizedTest(name = "deaf={0}")
  @ValueSource(booleans = {false, true})
  void relayVanishingAfterOpenIs451AtRcptWithinTheProbeBounds(boolean deafRelay) throws Exception {
    String aid = Backends.createAlias(vertx, "vanish-open@dest.example", 1);
    vanishAt = "OPEN";
    deaf = deafRelay;
    try (LineClient c = session(probePort)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      long started = System.nanoTime();
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("451 4.4.1");
      assertThat(elapsedMillis(started)).isLessThan(5_000); // the OPEN bound is 30 s
      if (deafRelay) {
        waitFor("best-effort ABORT", () -> ops.contains("ABORT unanswered"));
      }
      c.cmd("RSET").expect("250 ");
      vanishAt = null;
      startRelay();
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      MailPathTest.waitForRcpt(c, aid); // the single use was released
      c.cmd("DATA").expect("354 ");
      c.send("Subject: x\r\n\r\ny\r\n.\r\n").expect("250 ");
    }
  }

  @ParameterizedTest(name = "deaf={0}")
  @ValueSource(booleans = {false, true})
  void relayVanishingDuringEndIs451AndTheUsesCountAsSpent(boolean deafRelay) throws Exception {
    String one = Backends.createAlias(vertx, "vanish-end-1@dest.example", 1);
    String two = Backends.createAlias(vertx, "vanish-end-2@dest.example", 1);
    vanishAt = "END";
    deaf = deafRelay;
    try (LineClient c = session(probePort)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + one + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("RCPT TO:<" + two + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      long started = System.nanoTime();
      c.send("Subject: gone\r\n\r\n" + "y\r\n".repeat(500) + ".\r\n").expect("451 4.4.2");
      assertThat(elapsedMillis(started)).isLessThan(5_000); // the END bound is 30 s
      // END went out: the relay may have sent the final dot before it died. Nothing is aborted
      // any more, and the uses count as spent (never more deliveries than max-usage).
      assertThat(ops).doesNotContain("ABORT", "ABORT unanswered");
      vanishAt = null;
      startRelay();
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + one + "@" + DOMAIN + ">").expect("550 5.1.1");
      c.cmd("RCPT TO:<" + two + "@" + DOMAIN + ">").expect("550 5.1.1");
    }
  }

  @Test
  void aRelayThatTakesDataWithEndGetsTheLastBytesThereAndNoChunkForASmallMessage() throws Exception {
    String aid = Backends.createAlias(vertx, "enddata@dest.example", 1);
    endTakesData = true;
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: small\r\n\r\nbody\r\n.\r\n").expect("250 2.0.0 Ok: queued as SCRIPTED");
    }
    assertThat(ops).containsExactly("OPEN a@b.example", "RCPT", "DATA", "END");
    assertThat(data.toString(StandardCharsets.ISO_8859_1)).startsWith("Received: from client.example")
        .endsWith("Subject: small\r\n\r\nbody\r\n");
  }

  @ParameterizedTest(name = "endTakesData={0}")
  @ValueSource(booleans = {false, true})
  void endThatFindsNoRelayTransactionIs451AndTheUseIsGivenBack(boolean takesData) throws Exception {
    // Nobody took END, so no dot went out: the outcome is known, and the use is released.
    String aid = Backends.createAlias(vertx, "noend@dest.example", 1);
    endTakesData = takesData;
    vanishAt = "DATA";
    try (LineClient c = session()) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      c.cmd("DATA").expect("354 ");
      c.send("Subject: lost\r\n\r\nx\r\n.\r\n").expect("451 ");
      vanishAt = null;
      // Given back, not spent: the single use delivers (a 451 while the release is on its way is retried).
      String again = "";
      for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end; Thread.sleep(50)) {
        again = MailPathTest.transaction(c, "a@b.example", aid + "@" + DOMAIN, MailPathTest.simpleMessage("again"));
        if (!again.startsWith("451 ")) {
          break;
        }
      }
      assertThat(again).startsWith("250 ");
    }
  }

  @Test
  void aSlowRelayThatAnswersPingIsWaitedFor() throws Exception {
    String aid = Backends.createAlias(vertx, "slow@dest.example", 1);
    openDelayMillis = 1_500;
    endDelayMillis = 2_000;
    try (LineClient c = session(probePort)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("250 ");
      int pingsDuringOpen = pings.get();
      c.cmd("DATA").expect("354 ");
      c.send("Subject: slow\r\n\r\ny\r\n.\r\n").expect("250 2.0.0 Ok: queued as SCRIPTED");
      assertThat(pingsDuringOpen).isGreaterThanOrEqualTo(2);
      assertThat(pings.get() - pingsDuringOpen).isGreaterThanOrEqualTo(3);
      // (An ABORT from the previous test's last session may still arrive before our OPEN.)
      assertThat(ops.subList(ops.indexOf("OPEN a@b.example"), ops.size()))
          .containsExactly("OPEN a@b.example", "RCPT", "DATA", "CHUNK", "END"); // a relay without endTakesData
      // The single use was settled USED: the alias is gone.
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<" + aid + "@" + DOMAIN + ">").expect("550 5.1.1");
    }
    // Probing stopped with the last request: no PING goes out once nothing is outstanding.
    int settled = pings.get();
    long quietUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * PROBE_MILLIS);
    waitFor("a quiet period", () -> System.nanoTime() > quietUntil);
    assertThat(pings.get()).isEqualTo(settled);
  }

  private static long elapsedMillis(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }
}
