package org.tempalias.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.tempalias.relay.GatewayStandIn.await;
import static org.tempalias.relay.GatewayStandIn.waitUntil;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tempalias.contract.FinalReply;
import org.tempalias.contract.RelayAddress;
import org.tempalias.contract.RelayOp;
import org.tempalias.contract.RelayOpen;
import org.tempalias.contract.RelayOpened;
import org.tempalias.contract.RelayRcpt;
import org.tempalias.contract.ServiceMail;
import org.tempalias.contract.SmtpReply;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.ScriptedSmarthost.Step;

/** Black-box tests at the event-bus door, against a scripted smarthost on a real socket. */
@Timeout(60)
class RelayVerticleTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private Vertx vertx;
  private ScriptedSmarthost sink;
  private int sinkPort;
  private GatewayStandIn gateway;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    sink = new ScriptedSmarthost();
    sinkPort = await(sink.start(vertx));
    gateway = new GatewayStandIn(vertx);
  }

  @AfterEach
  void tearDown() {
    await(vertx.close());
  }

  private String deploy(JsonObject relay) {
    return await(vertx.deployVerticle(new RelayVerticle(), new DeploymentOptions().setConfig(config(relay))));
  }

  private JsonObject config(JsonObject relay) {
    JsonObject section = new JsonObject().put("smarthost", "127.0.0.1:" + sinkPort).put("starttls", "off")
        .put("ehloName", "relay.test").mergeIn(relay);
    return new JsonObject().put("relay", section);
  }

  private String deploy(JsonObject relay, int instances) {
    return await(vertx.deployVerticle(RelayVerticle.class, new DeploymentOptions().setInstances(instances).setConfig(config(relay))));
  }

  private static Buffer bytes(String text) {
    return Buffer.buffer(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** One whole delivery: open, one recipient, data, chunks, end. */
  private SmtpReply deliver(String from, String to, List<Buffer> chunks) {
    RelayOpened opened = gateway.open("tx-" + System.nanoTime(), from);
    assertThat(opened.reply().code()).as("OPEN, smarthost saw %s", sink.commands).isEqualTo(250);
    assertThat(gateway.rcpt(opened.address(), to).code()).isEqualTo(250);
    assertThat(gateway.data(opened.address()).code()).isEqualTo(354);
    return gateway.send(opened.address(), chunks);
  }

  @Test
  void deliversTheBodyByteForByte() {
    deploy(new JsonObject());
    String line998 = "X".repeat(998);
    String body = "Received: from client by gateway; Thu, 1 Jan 2026 00:00:00 +0000\r\n"
        + "Subject: caf\u00e9 \u00fcber\r\n\r\n"
        + "..a line that started with a dot, dot-stuffed by the gateway\r\n"
        + "..\r\n"
        + "8-bit: \u00e4\u00f6\u00fc\u00ff\u0080\r\n"
        + line998 + "\r\n"
        + "last line\r\n";
    Buffer whole = bytes(body);
    List<Buffer> chunks = new ArrayList<>();
    int[] cuts = {1, 2, 3, 70, 71, 72, 150, whole.length() - 2, whole.length() - 1, whole.length()};
    int from = 0;
    for (int cut : cuts) {
      chunks.add(whole.getBuffer(from, cut));
      from = cut;
    }

    SmtpReply reply = deliver("sender@example.org", "target@example.net", chunks);

    assertThat(reply).isEqualTo(SmtpReply.of(250, "2.0.0", "Ok: queued"));
    assertThat(sink.delivered).hasSize(1);
    ScriptedSmarthost.Delivered message = sink.delivered.get(0);
    assertThat(message.mailFrom()).isEqualTo("MAIL FROM:<sender@example.org>");
    assertThat(message.rcptTo()).containsExactly("RCPT TO:<target@example.net>");
    assertThat(message.data()).isEqualTo(whole);
    assertThat(message.text()).contains("\r\n" + line998 + "\r\n").contains("\r\n..\r\n");
  }

  @Test
  void forwardsMailParametersWhenAdvertised() {
    deploy(new JsonObject());
    RelayOpened opened = gateway.open(new RelayOpen("tx-1", "", 1234, "8BITMIME", true));
    assertThat(opened.reply().code()).isEqualTo(250);
    assertThat(sink.commands).contains("MAIL FROM:<> SIZE=1234 BODY=8BITMIME SMTPUTF8");
  }

  @Test
  void omitsMailParametersTheSmarthostDoesNotAdvertise() {
    sink.extensions = List.of("PIPELINING");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open(new RelayOpen("tx-1", "a@example.org", 1234, "8BITMIME", false));
    assertThat(opened.reply().code()).isEqualTo(250);
    assertThat(sink.commands).contains("MAIL FROM:<a@example.org>");
  }

  @Test
  void refusesSmtputf8WhenTheSmarthostLacksIt() {
    sink.extensions = List.of("8BITMIME");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open(new RelayOpen("tx-1", "j\u00f6rg@example.org", 0, "8BITMIME", true));
    assertThat(opened.reply()).isEqualTo(SmtpReply.of(553, "5.6.7", "SMTPUTF8 required but not supported by the smarthost"));
    assertThat(opened.address()).isNull();
    assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
  }

  @Test
  void anAsciiEnvelopeGoesWithoutSmtputf8ToAHopThatLacksIt() {
    sink.extensions = List.of("8BITMIME");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open(new RelayOpen("tx-1", "a@example.org", 0, "8BITMIME", true));
    assertThat(opened.reply().code()).isEqualTo(250);
    assertThat(sink.commands).contains("MAIL FROM:<a@example.org> BODY=8BITMIME");
    assertThat(gateway.rcpt(opened.address(), "j\u00f6rg@example.net")).isEqualTo(RelayTransaction.SMTPUTF8_UNSUPPORTED);
    assertThat(gateway.rcpt(opened.address(), "b@example.net").code()).isEqualTo(250);
    gateway.data(opened.address());
    // UTF-8 in the body only: 8-bit data, which 8BITMIME carries.
    assertThat(gateway.send(opened.address(), List.of(bytes("Subject: hi\r\n\r\nGr\u00fc\u00dfe\r\n"))).code()).isEqualTo(250);

    RelayOpened second = gateway.open(new RelayOpen("tx-2", "a@example.org", 0, "8BITMIME", true));
    gateway.rcpt(second.address(), "b@example.net");
    gateway.data(second.address());
    gateway.chunk(second.address(), 0, bytes("Subject: Gr\u00fc\u00dfe\r\n\r\nbody\r\n"));
    FinalReply refused = gateway.endFinal(second.address());
    assertThat(refused).isEqualTo(new FinalReply(RelayTransaction.UTF8_HEADERS_UNSUPPORTED, true));
    assertThat(sink.delivered).hasSize(1);
  }

  @Test
  void eightBitDataToAHopWithout8bitmimeIsRefusedBeforeTheDot() {
    sink.extensions = List.of("PIPELINING");
    deploy(new JsonObject());
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("Subject: plain\r\n\r\nascii only\r\n"))).code())
        .isEqualTo(250);
    RelayOpened opened = gateway.open(new RelayOpen("tx-8", "a@example.org", 0, "8BITMIME", false));
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("Subject: x\r\n\r\nna\u00efve\r\n"));
    assertThat(gateway.endFinal(opened.address()))
        .isEqualTo(new FinalReply(RelayTransaction.EIGHT_BIT_UNSUPPORTED, true));
    waitUntil("the connection in DATA closed", BOUND, () -> sink.closed.get() == 1);
    assertThat(sink.delivered).hasSize(1);
    assertThat(sink.commands).doesNotContain(".");
  }

  @Test
  void theLastBytesComeWithEndAndAreCheckedAndWrittenBeforeTheDot() {
    sink.extensions = List.of("PIPELINING");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-tail", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("Subject: tail\r\n\r\n"));
    assertThat(gateway.endFinal(opened.address(), bytes("the rest\r\n")).reply().code()).isEqualTo(250);
    assertThat(sink.delivered).extracting(ScriptedSmarthost.Delivered::text)
        .containsExactly("Subject: tail\r\n\r\nthe rest\r\n");
    // Without any chunk, and with an 8-bit byte that this hop cannot take: refused before the dot.
    RelayOpened eight = gateway.open(new RelayOpen("tx-tail-8", "a@example.org", 0, "8BITMIME", false));
    gateway.rcpt(eight.address(), "b@example.net");
    gateway.data(eight.address());
    assertThat(gateway.endFinal(eight.address(), bytes("Subject: x\r\n\r\nna\u00efve\r\n")))
        .isEqualTo(new FinalReply(RelayTransaction.EIGHT_BIT_UNSUPPORTED, true));
    assertThat(sink.delivered).hasSize(1);
  }

  @Test
  void aSmarthostThatDropsTheConnectionInDataLeavesAKnownOutcomeAtEnd() {
    deploy(new JsonObject().put("poolSize", 1));
    sink.once.put(Step.DATA, ScriptedSmarthost.thenDrop("354 go ahead"));
    RelayOpened opened = gateway.open("tx-dropped", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    assertThat(gateway.data(opened.address()).code()).isEqualTo(354);
    // The relay has seen the break once its only pool slot is free again for another OPEN.
    Future<RelayOpened> next = gateway.openAsync(new RelayOpen("tx-next", "c@example.org", 0, null, false));
    waitUntil("a second connection", BOUND, () -> sink.connections.get() == 2);
    // No dot could go out: not delivered, and the gateway may say so.
    FinalReply fin = gateway.endFinal(opened.address(), bytes("Subject: x\r\n\r\ny\r\n"));
    assertThat(fin.outcomeKnown()).isTrue();
    assertThat(fin.reply().isPositive()).isFalse();
    assertThat(await(next).reply().code()).isEqualTo(250);
    assertThat(sink.delivered).isEmpty();
  }

  @Test
  void serviceMailGoesOutWholeAndIsRetriedWhenTheSmarthostDefers() {
    deploy(new JsonObject().put("serviceMailRetrySeconds", 1));
    sink.once.put(Step.MAIL, "451 4.3.0 not now");
    ServiceMail mail = new ServiceMail("postmaster@tempalias.test", "me@example.org", "Confirm your alias",
        "Open https://tempalias.test/confirm/abc", "<p><a href=\"https://tempalias.test/confirm/abc\">Confirm</a></p>");
    assertThat(await(vertx.eventBus().<JsonObject>request(RelayAddress.SERVICE_MAIL, mail.toJson())).body())
        .isEqualTo(new JsonObject());
    waitUntil("the retried service mail", BOUND, () -> sink.delivered.size() == 1);
    ScriptedSmarthost.Delivered d = sink.delivered.get(0);
    assertThat(d.sender()).isEqualTo("postmaster@tempalias.test");
    assertThat(d.recipients()).containsExactly("me@example.org");
    assertThat(d.text()).contains("Auto-Submitted: auto-generated\r\n", "\r\nMessage-ID: <", "\r\nDate: ",
        "Subject: Confirm your alias\r\n", "Content-Type: multipart/alternative", "Content-Type: text/plain",
        "Content-Type: text/html", "https://tempalias.test/confirm/abc");
    assertThat(d.text()).containsPattern("\r\nMessage-ID: <[0-9a-f-]{36}@tempalias\\.test>\r\n");
    assertThat(sink.commands.stream().filter(c -> c.startsWith("MAIL FROM:<postmaster@tempalias.test>")).count())
        .as("two attempts").isEqualTo(2);
    // A CR/LF in the subject would be a header injection: refused.
    assertThatThrownBy(() -> await(vertx.eventBus().request(RelayAddress.SERVICE_MAIL,
        new ServiceMail("a@b.example", "c@d.example", "x\r\nBcc: victim@e.example", "t", "h").toJson())))
        .hasMessageContaining("unsafe");
  }

  @Test
  void mailRefusedUpstreamIsPassedThrough() {
    sink.replies.put(Step.MAIL, "550-5.7.1 Sender rejected\n550 5.7.1 see policy");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "spam@example.org");
    assertThat(opened.reply()).isEqualTo(SmtpReply.of(550, "5.7.1", "Sender rejected\nsee policy"));
    assertThat(opened.address()).isNull();
  }

  @Test
  void rcptRefusedUpstreamIsPassedThrough() {
    sink.replies.put(Step.RCPT, "550 5.1.1 <nobody@example.net>: Recipient address rejected");
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    SmtpReply reply = gateway.rcpt(opened.address(), "nobody@example.net");
    assertThat(reply).isEqualTo(SmtpReply.of(550, "5.1.1", "<nobody@example.net>: Recipient address rejected"));
    assertThat(gateway.abort(opened.address())).isEqualTo(new JsonObject());
  }

  @ParameterizedTest
  @ValueSource(strings = {"451 4.3.0 Temporary local problem", "554 5.7.1 Message rejected as spam"})
  void endOfDataReplyIsPassedThrough(String upstream) {
    sink.replies.put(Step.END, upstream);
    deploy(new JsonObject());
    SmtpReply reply = deliver("a@example.org", "b@example.net", List.of(bytes("Subject: x\r\n\r\nhi\r\n")));
    assertThat(reply.toWire()).isEqualTo(upstream + "\r\n");
  }

  @Test
  void smarthostDownIs451AtOpen() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    deploy(new JsonObject().put("smarthost", "127.0.0.1:" + closedPort));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply().code()).isEqualTo(451);
    assertThat(opened.reply().enhanced()).isEqualTo("4.4.1");
    assertThat(opened.address()).isNull();
  }

  @Test
  void smarthostStallingAtGreetingIs451AfterTheGreetingTimeout() {
    sink.replies.put(Step.GREETING, ScriptedSmarthost.STALL);
    deploy(new JsonObject().put("greetingTimeoutSeconds", 1));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply()).isEqualTo(RelayFailure.NO_ANSWER);
  }

  @Test
  void smarthostStallingAtEndOfDataIs451() {
    sink.replies.put(Step.END, ScriptedSmarthost.STALL);
    deploy(new JsonObject().put("endOfDataTimeoutSeconds", 1));
    RelayOpened opened = gateway.open("tx-stall", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("hi\r\n"));
    // The dot went out and no reply came: the gateway must count the message as delivered.
    assertThat(gateway.endFinal(opened.address())).isEqualTo(new FinalReply(RelayFailure.NO_ANSWER, false));
    waitUntil("connection closed", BOUND, () -> sink.closed.get() == 1);
    sink.replies.put(Step.END, "451 4.3.0 try later");
    RelayOpened again = gateway.open("tx-refused", "a@example.org");
    gateway.rcpt(again.address(), "b@example.net");
    gateway.data(again.address());
    gateway.chunk(again.address(), 0, bytes("hi\r\n"));
    assertThat(gateway.endFinal(again.address())).isEqualTo(new FinalReply(SmtpReply.of(451, "4.3.0", "try later"), true));
  }

  @Test
  void aConnectionAnswered421AtTheDotIsNotReused() {
    // 421 means the smarthost is closing the channel (RFC 5321 §3.8), whether or not it has yet.
    deploy(new JsonObject().put("poolSize", 1));
    sink.replies.put(Step.END, "421 4.3.2 shutting down");
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("one\r\n"))).code()).isEqualTo(421);
    sink.replies.put(Step.END, "250 2.0.0 Ok");
    assertThat(deliver("c@example.org", "d@example.net", List.of(bytes("two\r\n"))).code()).isEqualTo(250);
    assertThat(sink.connections.get()).isEqualTo(2);
  }

  @Test
  void smarthostDroppingAtRcptIs451() {
    sink.replies.put(Step.RCPT, ScriptedSmarthost.DROP);
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(gateway.rcpt(opened.address(), "b@example.net")).isEqualTo(RelayFailure.CONNECTION_LOST);
  }

  @Test
  void reusesOneConnectionWithoutRsetAfterTheSmarthostAnsweredTheDot() {
    // RFC 5321 §4.1.1.4: the reply to the final dot cleared the smarthost's buffers.
    deploy(new JsonObject().put("poolSize", 1)); // one connection: the next transaction waits for it
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("one\r\n"))).code()).isEqualTo(250);
    assertThat(deliver("c@example.org", "d@example.net", List.of(bytes("two\r\n"))).code()).isEqualTo(250);

    assertThat(sink.connections.get()).isEqualTo(1);
    assertThat(sink.delivered).extracting(ScriptedSmarthost.Delivered::text).containsExactly("one\r\n", "two\r\n");
    assertThat(sink.delivered).extracting(ScriptedSmarthost.Delivered::connection).containsOnly(1);
    List<String> afterFirst = sink.commands.subList(sink.commands.indexOf("<data 5 bytes>"), sink.commands.size());
    assertThat(afterFirst).contains("MAIL FROM:<c@example.org>").doesNotContain("RSET");
  }

  @Test
  void aPooledConnectionThatDiedIdleIsReplacedOnce() {
    deploy(new JsonObject().put("poolSize", 1)); // one connection: the next transaction waits for its RSET
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("one\r\n"))).code()).isEqualTo(250);
    sink.once.put(Step.MAIL, ScriptedSmarthost.DROP);

    assertThat(deliver("c@example.org", "d@example.net", List.of(bytes("two\r\n"))).code()).isEqualTo(250);

    assertThat(sink.connections.get()).isEqualTo(2);
    assertThat(sink.delivered).extracting(ScriptedSmarthost.Delivered::connection).containsExactly(1, 2);
  }

  @Test
  void stopAbortsOpenTransactionsAndQuitsIdleConnections() {
    String deployment = deploy(new JsonObject());
    RelayOpened busy = gateway.open("tx-1", "a@example.org");
    gateway.rcpt(busy.address(), "b@example.net");
    gateway.data(busy.address());
    gateway.chunk(busy.address(), 0, bytes("Subject: cut short\r\n"));
    RelayOpened spare = gateway.open("tx-2", "c@example.org");
    gateway.abort(spare.address());
    waitUntil("second connection reset", BOUND, () -> sink.commands.contains("RSET"));

    await(vertx.undeploy(deployment));

    waitUntil("both connections closed", BOUND, () -> sink.closed.get() == 2);
    assertThat(sink.commands).containsOnlyOnce("QUIT");
    assertThat(sink.delivered).isEmpty();
  }

  @Test
  void abortInDataNeverDelivers() {
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("Subject: half a message\r\n"));

    assertThat(gateway.abort(opened.address())).isEqualTo(new JsonObject());

    waitUntil("upstream connection closed", BOUND, () -> sink.closed.get() == 1);
    assertThat(sink.delivered).isEmpty();
    assertNoHandler(opened.address());
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("next\r\n"))).code()).isEqualTo(250);
    assertThat(sink.connections.get()).isEqualTo(2);
  }

  @Test
  void abortBeforeDataResetsAndKeepsTheConnection() {
    deploy(new JsonObject().put("poolSize", 1)); // one connection: the next transaction waits for its RSET
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.abort(opened.address());
    waitUntil("RSET upstream", BOUND, () -> sink.commands.contains("RSET"));

    assertThat(deliver("c@example.org", "d@example.net", List.of(bytes("two\r\n"))).code()).isEqualTo(250);
    assertThat(sink.connections.get()).isEqualTo(1);
    assertThat(sink.delivered).hasSize(1);
  }

  @Test
  void idleTransactionAbortsItselfWithoutDelivering() {
    deploy(new JsonObject().put("idleTimeoutSeconds", 1));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("Subject: the gateway vanishes\r\n"));

    waitUntil("upstream connection closed", BOUND, () -> sink.closed.get() == 1);
    assertThat(sink.delivered).isEmpty();
    assertThat(sink.commands).doesNotContain(".");
    assertNoHandler(opened.address());
  }

  @Test
  void outOfOrderChunkAbortsWith451() {
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("first\r\n"));
    JsonObject reply = gateway.chunk(opened.address(), 2, bytes("third\r\n"));

    assertThat(SmtpReply.fromJson(reply)).isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    waitUntil("upstream connection closed", BOUND, () -> sink.closed.get() == 1);
    assertThat(sink.delivered).isEmpty();
  }

  @Test
  void stepOutOfOrderIs451() {
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    SmtpReply reply = gateway.end(opened.address());
    assertThat(reply).isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    assertThat(sink.delivered).isEmpty();
  }

  @Test
  void theTransactionAddressIsRegisteredAndPingedWhileMailFromWaitsUpstream() {
    sink.replies.put(Step.MAIL, ScriptedSmarthost.STALL);
    deploy(new JsonObject().put("mailTimeoutSeconds", 2));
    String address = RelayAddress.transaction("tx-early");
    Future<RelayOpened> opening = gateway.openAsync(new RelayOpen("tx-early", "a@example.org", 0, null, false));
    waitUntil("MAIL FROM sent upstream", BOUND, () -> sink.commands.contains("MAIL FROM:<a@example.org>"));

    assertThat(await(gateway.ping(address))).isEqualTo(new JsonObject());
    assertThat(opening.isComplete()).isFalse();

    RelayOpened opened = await(opening);
    assertThat(opened.reply()).isEqualTo(RelayFailure.NO_ANSWER);
    assertThat(opened.address()).isNull();
    assertNoHandler(address);
  }

  @Test
  void pingIsAnsweredWhileTheEndOfDataIsStalled() {
    sink.replies.put(Step.END, ScriptedSmarthost.STALL);
    deploy(new JsonObject());
    RelayOpened opened = gateway.open("tx-slow", "a@example.org");
    assertThat(opened.address()).isEqualTo(RelayAddress.transaction("tx-slow"));
    gateway.rcpt(opened.address(), "b@example.net");
    gateway.data(opened.address());
    gateway.chunk(opened.address(), 0, bytes("Subject: slow\r\n"));
    Future<JsonObject> end = gateway.step(opened.address(), RelayOp.END, new JsonObject());
    waitUntil("final dot upstream", BOUND, () -> sink.commands.stream().anyMatch(c -> c.startsWith("<data")));

    for (int i = 0; i < 3; i++) {
      assertThat(await(gateway.ping(opened.address()))).isEqualTo(new JsonObject());
    }
    assertThat(end.isComplete()).isFalse();

    assertThat(gateway.abort(opened.address())).isEqualTo(new JsonObject());
    FinalReply cut = FinalReply.fromJson(await(end));
    assertThat(cut.reply().isTransient()).isTrue();
    assertThat(cut.outcomeKnown()).as("the dot went out before the abort").isFalse();
    assertNoHandler(opened.address());
  }

  @Test
  void abortWhileOpeningResetsTheConnectionOnceMailFromIsAnswered() {
    deploy(new JsonObject().put("poolSize", 1)); // one connection: the next transaction waits for its RSET
    sink.delays.put(Step.MAIL, 1_000L);
    String address = RelayAddress.transaction("tx-given-up");
    Future<RelayOpened> opening = gateway.openAsync(new RelayOpen("tx-given-up", "a@example.org", 0, null, false));
    waitUntil("MAIL FROM sent upstream", BOUND, () -> sink.commands.contains("MAIL FROM:<a@example.org>"));
    assertThat(await(gateway.ping(address))).isEqualTo(new JsonObject());

    assertThat(gateway.abort(address)).isEqualTo(new JsonObject());

    RelayOpened opened = await(opening);
    assertThat(opened.reply()).isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    assertThat(opened.address()).isNull();
    waitUntil("RSET upstream", BOUND, () -> sink.commands.contains("RSET"));
    assertThat(sink.commands).containsSubsequence("MAIL FROM:<a@example.org>", "RSET");
    assertNoHandler(address);
    sink.delays.clear();
    assertThat(deliver("c@example.org", "d@example.net", List.of(bytes("next\r\n"))).code()).isEqualTo(250);
    assertThat(sink.connections.get()).isEqualTo(1);
  }

  @Test
  void aStepBeforeOpenWasAnsweredIs451() {
    sink.delays.put(Step.MAIL, 500L);
    deploy(new JsonObject());
    String address = RelayAddress.transaction("tx-eager");
    Future<RelayOpened> opening = gateway.openAsync(new RelayOpen("tx-eager", "a@example.org", 0, null, false));
    waitUntil("MAIL FROM sent upstream", BOUND, () -> sink.commands.contains("MAIL FROM:<a@example.org>"));

    assertThat(SmtpReply.fromJson(await(gateway.step(address, RelayOp.RCPT, new RelayRcpt("b@example.net").toJson()))))
        .isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    assertThat(await(opening).address()).isNull();
    assertThat(sink.delivered).isEmpty();
  }

  @Test
  void malformedOrDuplicateTransactionIdsAreRefused() {
    deploy(new JsonObject());
    RelayOpened bad = gateway.open("bad id!", "a@example.org");
    assertThat(bad.reply()).isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    assertThat(bad.address()).isNull();

    RelayOpened first = gateway.open("tx-twice", "a@example.org");
    RelayOpened second = gateway.open("tx-twice", "c@example.org");
    assertThat(second.reply()).isEqualTo(RelayFailure.OUT_OF_SEQUENCE);
    assertThat(second.address()).isNull();
    assertThat(gateway.rcpt(first.address(), "b@example.net").code()).isEqualTo(250);
    assertThat(gateway.data(first.address()).code()).isEqualTo(354);
    assertThat(gateway.send(first.address(), List.of(bytes("once\r\n"))).code()).isEqualTo(250);
    assertThat(sink.commands).doesNotContain("MAIL FROM:<c@example.org>");
  }

  @Test
  void ehloRefusedFallsBackToHelo() {
    sink.replies.put(Step.EHLO, "502 5.5.1 EHLO not implemented");
    deploy(new JsonObject().put("ehloName", "relay.test"));
    RelayOpened opened = gateway.open(new RelayOpen("tx-1", "a@example.org", 99, "8BITMIME", false));
    assertThat(opened.reply().code()).isEqualTo(250);
    assertThat(sink.commands).containsExactly("EHLO relay.test", "HELO relay.test", "MAIL FROM:<a@example.org>");
  }

  @Test
  void starttlsRequiredButNotOfferedIs4xx() {
    deploy(new JsonObject().put("starttls", "required"));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply()).isEqualTo(RelayFailure.TLS_UNAVAILABLE);
    assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
  }

  @Test
  void starttlsRequiredWithATrustedCertificateDeliversOverTls() {
    sink.offerStartTls = true;
    deploy(new JsonObject().put("starttls", "required").put("trustPem", ScriptedSmarthost.certificateFile()));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("secret\r\n"))).code()).isEqualTo(250);
    assertThat(sink.delivered.get(0).tls()).isTrue();
    // RFC 3207 §4.2: capabilities are asked again after the handshake.
    assertThat(sink.commands).containsSubsequence("EHLO relay.test", "STARTTLS", "EHLO relay.test", "MAIL FROM:<a@example.org>");
  }

  @Test
  void starttlsRequiredWithAnUntrustedCertificateIs4xx() {
    sink.offerStartTls = true;
    deploy(new JsonObject().put("starttls", "required"));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply()).isEqualTo(RelayFailure.TLS_FAILED);
    assertThat(sink.commands).noneMatch(c -> c.startsWith("MAIL"));
  }

  @Test
  void opportunisticStarttlsEncryptsWithoutVerifying() {
    sink.offerStartTls = true;
    deploy(new JsonObject().put("starttls", "opportunistic"));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("hi\r\n"))).code()).isEqualTo(250);
    assertThat(sink.delivered.get(0).tls()).isTrue();
  }

  @Test
  void opportunisticStarttlsGoesOnInPlaintextWhenNotOffered() {
    deploy(new JsonObject().put("starttls", "opportunistic"));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("hi\r\n"))).code()).isEqualTo(250);
    assertThat(sink.delivered.get(0).tls()).isFalse();
  }

  @Test
  void authPlainWhenOffered() {
    sink.authMechanisms = "LOGIN PLAIN";
    deploy(new JsonObject().put("username", "user").put("password", "secret").put("authWithoutTls", true));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("hi\r\n"))).code()).isEqualTo(250);
    assertThat(sink.commands).containsSubsequence("AUTH PLAIN " + ScriptedSmarthost.base64("\0user\0secret"), "MAIL FROM:<a@example.org>");
  }

  @Test
  void authLoginWhenOnlyLoginIsOffered() {
    sink.authMechanisms = "LOGIN";
    deploy(new JsonObject().put("username", "user").put("password", "secret").put("authWithoutTls", true));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("hi\r\n"))).code()).isEqualTo(250);
    assertThat(sink.commands).containsSubsequence("AUTH LOGIN", ScriptedSmarthost.base64("user"), ScriptedSmarthost.base64("secret"));
  }

  @Test
  void authOverTls() {
    sink.offerStartTls = true;
    sink.authMechanisms = "PLAIN";
    deploy(new JsonObject().put("starttls", "required").put("trustAll", true).put("username", "user").put("password", "secret"));
    assertThat(deliver("a@example.org", "b@example.net", List.of(bytes("hi\r\n"))).code()).isEqualTo(250);
    assertThat(sink.commands).containsSubsequence("STARTTLS", "AUTH PLAIN " + ScriptedSmarthost.base64("\0user\0secret"));
  }

  @Test
  void refusesToSendCredentialsInPlaintext() {
    sink.authMechanisms = "PLAIN";
    deploy(new JsonObject().put("username", "user").put("password", "secret"));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply()).isEqualTo(RelayFailure.AUTH_FAILED);
    assertThat(sink.commands).noneMatch(c -> c.startsWith("AUTH") || c.startsWith("MAIL"));
  }

  @Test
  void wrongCredentialsAre4xxNot5xx() {
    sink.authMechanisms = "PLAIN";
    sink.password = "other";
    deploy(new JsonObject().put("username", "user").put("password", "secret").put("authWithoutTls", true));
    RelayOpened opened = gateway.open("tx-1", "a@example.org");
    assertThat(opened.reply()).isEqualTo(RelayFailure.AUTH_FAILED);
  }

  @Test
  void fullPoolWaitsThenAnswers451() {
    deploy(new JsonObject().put("poolSize", 1).put("connectTimeoutSeconds", 1));
    RelayOpened first = gateway.open("tx-1", "a@example.org");
    assertThat(first.reply().code()).isEqualTo(250);

    RelayOpened second = gateway.open("tx-2", "c@example.org");

    assertThat(second.reply()).isEqualTo(RelayFailure.CONGESTED);
    assertThat(sink.connections.get()).isEqualTo(1);
  }

  @Test
  void aWaitingTransactionGetsTheNextFreeConnection() {
    deploy(new JsonObject().put("poolSize", 1));
    RelayOpened first = gateway.open("tx-1", "a@example.org");
    Future<RelayOpened> second = gateway.openAsync(new RelayOpen("tx-2", "c@example.org", 0, null, false));
    assertThat(second.isComplete()).isFalse();

    gateway.rcpt(first.address(), "b@example.net");
    gateway.data(first.address());
    assertThat(gateway.send(first.address(), List.of(bytes("one\r\n"))).code()).isEqualTo(250);

    assertThat(await(second).reply().code()).isEqualTo(250);
    assertThat(sink.connections.get()).isEqualTo(1);
    assertThat(sink.commands).containsSubsequence("<data 5 bytes>", "MAIL FROM:<c@example.org>").doesNotContain("RSET");
  }

  @Test
  void severalInstancesShareTheDoor() {
    deploy(new JsonObject(), 3);
    List<Future<RelayOpened>> opens = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      opens.add(gateway.openAsync(new RelayOpen("tx-" + i, "s" + i + "@example.org", 0, null, false)));
    }
    for (Future<RelayOpened> open : opens) {
      String address = await(open).address();
      assertThat(gateway.rcpt(address, "t@example.net").code()).isEqualTo(250);
      assertThat(gateway.data(address).code()).isEqualTo(354);
      assertThat(gateway.send(address, List.of(bytes("m\r\n"))).code()).isEqualTo(250);
    }
    assertThat(sink.delivered).hasSize(6);
  }

  @Test
  void badConfigurationFailsStartNamingTheKey() {
    JsonObject config = new JsonObject().put("relay", new JsonObject().put("starttls", "sometimes"));
    assertThatThrownBy(() -> await(vertx.deployVerticle(new RelayVerticle(), new DeploymentOptions().setConfig(config))))
        .hasMessageContaining("relay.starttls");
    JsonObject badHost = new JsonObject().put("relay", new JsonObject().put("smarthost", "nohostport"));
    assertThatThrownBy(() -> await(vertx.deployVerticle(new RelayVerticle(), new DeploymentOptions().setConfig(badHost))))
        .hasMessageContaining("relay.smarthost");
  }

  /**
   * 20 MiB in 64 KiB chunks, at most 8 unacknowledged: while the smarthost does not read, the
   * relay withholds acknowledgements, so the window fills and the stream stops far short of the
   * end; once the smarthost reads again everything arrives byte for byte.
   */
  @Test
  void largeBodyFlowsWithBackPressure() {
    int chunkSize = 64 * 1024;
    int count = 320;
    long total = (long) chunkSize * count;
    sink.pauseAtData = true;
    deploy(new JsonObject());
    RelayOpened opened = gateway.open(new RelayOpen("tx-big", "a@example.org", total, "8BITMIME", false));
    gateway.rcpt(opened.address(), "b@example.net");
    assertThat(gateway.data(opened.address()).code()).isEqualTo(354);

    GatewayStandIn.Pump pump = new GatewayStandIn.Pump(gateway, opened.address(), count, 8, seq -> pattern(seq * chunkSize, chunkSize)).start();

    waitUntil("window full while the smarthost does not read", BOUND, () -> sink.isPaused() && pump.outstanding() == 8);
    assertThat(pump.acked.get()).isLessThan(count / 2);
    assertThat(pump.done.future().isComplete()).isFalse();

    sink.resume();
    await(pump.done.future());
    assertThat(pump.maxOutstanding.get()).isEqualTo(8);
    JsonObject lastLine = gateway.chunk(opened.address(), count, bytes("\r\n"));
    assertThat(lastLine).isEqualTo(new JsonObject());
    assertThat(gateway.end(opened.address()).code()).isEqualTo(250);

    Buffer received = sink.delivered.get(0).data();
    assertThat(received.length()).isEqualTo(total + 2);
    for (int seq = 0; seq < count; seq++) {
      if (!received.getBuffer(seq * chunkSize, (seq + 1) * chunkSize).equals(pattern((long) seq * chunkSize, chunkSize))) {
        throw new AssertionError("chunk " + seq + " differs");
      }
    }
  }

  /** Message bytes at a global offset: 98 letters then CRLF, so no line is a lone dot. */
  private static Buffer pattern(long offset, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      long at = offset + i;
      int column = (int) (at % 100);
      bytes[i] = column == 98 ? (byte) '\r' : column == 99 ? (byte) '\n' : (byte) ('a' + (at / 100 + column) % 26);
    }
    return Buffer.buffer(bytes);
  }

  private void assertNoHandler(String address) {
    assertThatThrownBy(() -> gateway.abort(address))
        .isInstanceOfSatisfying(ReplyException.class,
            e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
  }
}
