package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;
import static org.tempalias.smtp.GatewayHarness.waitFor;
import static org.tempalias.smtp.MailPathTest.session;
import static org.tempalias.smtp.MailPathTest.simpleMessage;
import static org.tempalias.smtp.MailPathTest.transaction;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.AliasStatus;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.SenderLock;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.TestRedis;

/**
 * Sender locks at RCPT TO, over real SMTP through two gateway and two relay instances, the real
 * store and a recording smarthost: allowed senders get through, others get 550 5.7.1 and cost no
 * use, the null sender is refused, a first-sender lock is set by the first delivery.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SenderLockTest {
  private static TestRedis redis;
  private static Vertx vertx;
  private static ScriptedSmarthost smarthost;
  private static int port;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    Backends.deployStore(vertx, redis);
    smarthost = new ScriptedSmarthost();
    await(smarthost.start(vertx));
    Backends.deployRelay(vertx, smarthost.port(), new JsonObject());
    port = GatewayHarness.deploy(vertx, new JsonObject().put("maxConnectionsPerIp", 50)).actualPort();
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
    smarthost.delivered.clear();
    smarthost.replies.clear();
    smarthost.once.clear();
  }

  private static CreatedAlias alias(SenderLock lock, int maxUsage) {
    return Backends.create(vertx, new CreateAlias("locked@dest.example", 3_600_000L, maxUsage, null, lock, null));
  }

  @Test
  void onlyTheAllowedDomainsAndTheirSubdomainsGetPastRcpt() throws Exception {
    CreatedAlias a = alias(new SenderLock(List.of("shop.example"), false), 5);
    String rcpt = a.aid() + "@" + MailPathTest.DOMAIN;
    try (LineClient c = session(port)) {
      assertThat(transaction(c, "orders@shop.example", rcpt, simpleMessage("1"))).startsWith("250 ");
      assertThat(transaction(c, "news@Mail.Shop.Example", rcpt, simpleMessage("2"))).startsWith("250 ");
      for (String sender : List.of("spam@evil.example", "x@evilshop.example", "x@shop.example.evil.example",
          "x@[192.0.2.1]", "")) {
        assertThat(transaction(c, sender, rcpt, simpleMessage("no")))
            .as("from <" + sender + ">").startsWith("550 5.7.1 ");
      }
    }
    waitFor("two deliveries", () -> smarthost.delivered.size() == 2);
    AliasStatus s = Backends.status(vertx, a.aid(), a.updateKey());
    assertThat(s.forwarded()).isEqualTo(2);
    assertThat(s.usesLeft()).as("refused senders took no use").isEqualTo(3);
    assertThat(s.usesInFlight()).isZero();
  }

  @Test
  void anInternationalSenderDomainMatchesItsALabelForm() throws Exception {
    CreatedAlias a = alias(new SenderLock(List.of(SenderLock.normalize("bücher.example")), false), 2);
    try (LineClient c = session(port)) {
      c.cmd("MAIL FROM:<kasse@bücher.example> SMTPUTF8").expect("250 ");
      c.cmd("RCPT TO:<" + a.aid() + "@" + MailPathTest.DOMAIN + ">").expect("250 ");
      c.cmd("RSET").expect("250 ");
      c.cmd("MAIL FROM:<kasse@xn--bcher-kva.example>").expect("250 ");
      c.cmd("RCPT TO:<" + a.aid() + "@" + MailPathTest.DOMAIN + ">").expect("250 ");
    }
  }

  @Test
  void aFirstSenderLockIsSetByTheFirstDeliveredMessage() throws Exception {
    CreatedAlias a = alias(new SenderLock(List.of(), true), 5);
    String rcpt = a.aid() + "@" + MailPathTest.DOMAIN;
    try (LineClient c = session(port)) {
      assertThat(transaction(c, "", rcpt, simpleMessage("bounce"))).startsWith("550 5.7.1 ");
      // A first message that the smarthost refuses does not lock the alias to its sender.
      smarthost.once.put(ScriptedSmarthost.Step.END, "554 5.6.0 refused upstream");
      assertThat(transaction(c, "noise@other.example", rcpt, simpleMessage("refused"))).startsWith("554 ");
      assertThat(Backends.status(vertx, a.aid(), a.updateKey()).lock()).isEqualTo(new SenderLock(List.of(), true));

      assertThat(transaction(c, "welcome@accounts.shop.example", rcpt, simpleMessage("first"))).startsWith("250 ");
      waitFor("the lock is set", () -> !Backends.status(vertx, a.aid(), a.updateKey()).lock().domains().isEmpty());
      assertThat(Backends.status(vertx, a.aid(), a.updateKey()).lock().domains()).containsExactly("accounts.shop.example");
      assertThat(transaction(c, "noise@other.example", rcpt, simpleMessage("late"))).startsWith("550 5.7.1 ");
      assertThat(transaction(c, "reset@accounts.shop.example", rcpt, simpleMessage("second"))).startsWith("250 ");
    }
    waitFor("two uses spent", () -> Backends.status(vertx, a.aid(), a.updateKey()).forwarded() == 2);
    assertThat(Backends.status(vertx, a.aid(), a.updateKey()).usesLeft()).isEqualTo(3);
  }
}
