package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.MailPathTest.session;
import static org.tempalias.smtp.MailPathTest.simpleMessage;
import static org.tempalias.smtp.MailPathTest.transaction;
import static org.tempalias.testsupport.Await.waitFor;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.ScriptedSmarthost.Step;
import org.tempalias.testsupport.TestRedis;

/**
 * The mail path's promises against hostile clients and partial faults (issue 10), each on a
 * whole stack (real store and Redis, two relay and two gateway instances, a scripted smarthost)
 * with the leases and bounds shortened so that each takes seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MailPathPromisesTest {
  static final String DOMAIN = "tempalias.test";
  static final JsonObject NONE = new JsonObject();
  static TestRedis redis;

  @BeforeAll
  static void startRedis() {
    redis = TestRedis.start();
  }

  @AfterAll
  static void stopRedis() {
    redis.stop();
  }

  static String rcpt(CreatedAlias alias) {
    return alias.aid() + "@" + DOMAIN;
  }

  static String rcptUntilAnswered(LineClient c, CreatedAlias alias, String expected, Duration bound) throws Exception {
    long deadline = System.nanoTime() + bound.toNanos();
    String reply;
    do {
      reply = c.cmd("RCPT TO:<" + rcpt(alias) + ">").reply();
      if (reply.startsWith(expected)) {
        return reply;
      }
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return reply;
  }

  // ---- never more than N deliveries -----------------------------------------------------------

  @Test
  void aSlowSenderKeepsItsClaimPastTheLeaseAndNoSecondSenderGetsIn() throws Exception {
    try (Stack stack = new Stack(redis, new JsonObject().put("claimLeaseSeconds", 1), NONE, NONE)) {
      CreatedAlias alias = stack.alias("slow@dest.example", 1);
      try (LineClient slow = session(stack.port); LineClient other = session(stack.port)) {
        slow.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        slow.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        slow.cmd("DATA").expect("354 ");
        slow.send("Subject: slow\r\n\r\n");
        other.cmd("MAIL FROM:<c@d.example>").expect("250 ");
        // Three leases long: the claim is renewed, so the only use stays held.
        for (int i = 0; i < 6; i++) {
          slow.send("line " + i + "\r\n");
          other.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("451 4.2.1");
          Thread.sleep(500);
        }
        slow.send(".\r\n").expect("250 ");
        other.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("550 5.1.1");
      }
      assertThat(stack.smarthost.delivered).hasSize(1);
    }
  }

  @Test
  void aSettlementLostWithRedisIsRetriedAndTheUseStaysSpent(@TempDir Path dir) throws Exception {
    TestRedis durable = TestRedis.persistent(Files.createDirectories(dir.resolve("redis")));
    try (Stack stack = new Stack(durable, new JsonObject().put("claimLeaseSeconds", 1).put("redisTimeoutMillis", 500),
        NONE, NONE)) {
      CreatedAlias alias = stack.alias("lost-settle@dest.example", 1);
      stack.smarthost.delays.put(Step.END, 1_000L);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: one\r\n\r\nhello\r\n.\r\n");
        waitFor("the final dot at the smarthost", () -> stack.smarthost.commands.stream().anyMatch(l -> l.startsWith("<data")));
        durable.kill(); // between the smarthost's 250 (a second away) and our settlement
        c.expect("250 ");
      }
      Thread.sleep(1_500); // longer than the lease: a settlement lost for good would give the use back
      durable.restart();
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<c@d.example>").expect("250 ");
        assertThat(rcptUntilAnswered(c, alias, "550", Duration.ofSeconds(15))).startsWith("550 5.1.1");
      }
      assertThat(stack.smarthost.delivered).hasSize(1);
    } finally {
      durable.stop();
    }
  }

  @Test
  void aClaimWhoseAnswerCameTooLateIsReleasedByName() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      CreatedAlias alias = stack.alias("stall@dest.example", 1);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        redis.commandInBackground("DEBUG", "SLEEP", "3");
        Thread.sleep(100);
        // The store gives up after its 2 s Redis bound; Redis runs the claim a second later.
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("451 4.3.0");
        // The gateway released that claim by its name: the alias is not blocked for a lease.
        assertThat(rcptUntilAnswered(c, alias, "250", Duration.ofSeconds(6))).startsWith("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: after the stall\r\n\r\nx\r\n.\r\n").expect("250 ");
      }
      assertThat(stack.smarthost.delivered).hasSize(1);
    }
  }

  @Test
  void anAliasDeletedDuringTheTransactionDeliversNothing() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      CreatedAlias alias = stack.alias("deleted@dest.example", 5);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: too late\r\n\r\nx\r\n");
        stack.delete(alias);
        c.send(".\r\n").expect("550 5.1.1");
      }
      assertThat(stack.smarthost.delivered).isEmpty();
      assertThat(stack.smarthost.commands).doesNotContain(".");
    }
  }

  @Test
  void aTransactionPastItsTimeLimitIsClosedAndItsClaimReleased() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, new JsonObject().put("maxTransactionSeconds", 2))) {
      CreatedAlias alias = stack.alias("limit@dest.example", 1);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        // Never done: however the client paces its data, the whole transaction is bounded.
        c.send("Subject: endless\r\n\r\n");
        String reply = c.timeout(10_000).reply();
        assertThat(reply).startsWith("421 4.4.2");
      }
      try (LineClient c = session(stack.port)) {
        assertThat(transaction(c, "c@d.example", rcpt(alias), simpleMessage("next"))).startsWith("250 ");
      }
    }
  }

  // ---- fairness -------------------------------------------------------------------------------

  @Test
  void oneClientCannotHoldEverySmarthostConnection() throws Exception {
    // Defaults: 10 pooled connections per relay instance, 5 open transactions per client; a
    // client over its share waits 300 ms here (20 s by default) for one of its own to end.
    try (Stack stack = new Stack(redis, NONE, new JsonObject().put("connectTimeoutSeconds", 3),
        new JsonObject().put("transactionSlotWaitMillis", 300))) {
      List<LineClient> hogs = new ArrayList<>();
      int accepted = 0;
      try {
        for (int i = 0; i < 22; i++) {
          CreatedAlias alias = stack.alias("hog" + i + "@dest.example", 1);
          LineClient hog = session(stack.port);
          hogs.add(hog);
          hog.cmd("MAIL FROM:<hog@spam.example>").expect("250 ");
          String reply = hog.cmd("RCPT TO:<" + rcpt(alias) + ">").reply();
          if (reply.startsWith("250")) {
            accepted++;
          } else {
            assertThat(reply).startsWith("451 4.7.0");
          }
        }
        assertThat(accepted).isEqualTo(5);
        CreatedAlias mine = stack.alias("fair@dest.example", 1);
        long started = System.nanoTime();
        try (LineClient other = new LineClient("127.0.0.2", stack.port)) {
          other.expect("220 ");
          other.cmd("EHLO other.example").expect("250 ");
          assertThat(transaction(other, "a@b.example", rcpt(mine), simpleMessage("fair"))).startsWith("250 ");
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2_000);
      } finally {
        for (LineClient hog : hogs) {
          hog.close();
        }
      }
    }
  }

  @Test
  void aClientOverItsShareWaitsForOneOfItsOwnTransactionsToEnd() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, new JsonObject().put("maxTransactionsPerClient", 1))) {
      CreatedAlias first = stack.alias("first@dest.example", 1);
      CreatedAlias second = stack.alias("second@dest.example", 1);
      try (LineClient a = session(stack.port); LineClient b = session(stack.port)) {
        a.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        a.cmd("RCPT TO:<" + rcpt(first) + ">").expect("250 ");
        b.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        b.cmd("RCPT TO:<" + rcpt(second) + ">");
        b.timeout(300);
        assertThat(b.closedByServer()).as("b waits for a's slot: no reply yet").isFalse();
        a.cmd("DATA").expect("354 ");
        a.send("Subject: first\r\n\r\nx\r\n.\r\n").expect("250 ");
        b.timeout(10_000).expect("250 "); // a's transaction ended: its slot went to b
        b.cmd("DATA").expect("354 ");
        b.send("Subject: second\r\n\r\nx\r\n.\r\n").expect("250 ");
      }
      assertThat(stack.smarthost.delivered).hasSize(2);
    }
  }

  // ---- privacy and the smaller promises ---------------------------------------------------------

  @Test
  void theSmarthostsReplyToDataNeverShowsTheTarget() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      CreatedAlias alias = stack.alias("Secret.Person@dest.example", 1);
      stack.smarthost.replies.put(Step.DATA, "451 4.7.1 <secret.person@DEST.example>: greylisted, try later");
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        String reply = c.cmd("DATA").expect("451 4.7.1");
        assertThat(reply).contains(rcpt(alias)).doesNotContainIgnoringCase("secret.person");
      }
    }
  }

  @Test
  void twoAliasesOfOneTargetMakeOneUpstreamRecipientAndSpendBothUses() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      CreatedAlias one = stack.alias("same@dest.example", 1);
      CreatedAlias two = stack.alias("SAME@dest.example", 1);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(one) + ">").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(two) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: once\r\n\r\nx\r\n.\r\n").expect("250 ");
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(one) + ">").expect("550 5.1.1");
        c.cmd("RCPT TO:<" + rcpt(two) + ">").expect("550 5.1.1");
      }
      assertThat(stack.smarthost.delivered).hasSize(1);
      assertThat(stack.smarthost.delivered.get(0).recipients()).containsExactly("same@dest.example");
    }
  }

  @Test
  void anAliasPointingAtOurOwnDomainIsALoopAndCostsNoUse() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      CreatedAlias loop = stack.alias("someone@alias.example", 1);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(loop) + ">").expect("550 5.4.6");
      }
      assertThat(stack.smarthost.commands).noneMatch(l -> l.startsWith("RCPT"));
    }
  }

  @Test
  void postmasterIsAcceptedAndForwardedWithoutAnAlias() throws Exception {
    JsonObject smtp = new JsonObject().put("postmaster", "ops@operator.example");
    try (Stack stack = new Stack(redis, NONE, NONE, smtp)) {
      try (LineClient c = session(stack.port)) {
        assertThat(transaction(c, "", "PostMaster@" + DOMAIN, simpleMessage("abuse report"))).startsWith("250 ");
        assertThat(transaction(c, "", "postmaster", simpleMessage("bare"))).startsWith("250 ");
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<postmaster@other.example>").expect("550 5.7.1");
      }
      assertThat(stack.smarthost.delivered).hasSize(2);
      assertThat(stack.smarthost.delivered.get(0).recipients()).containsExactly("ops@operator.example");
      assertThat(stack.smarthost.delivered.get(0).text()).contains("for <postmaster@tempalias.test>");
    }
    try (Stack without = new Stack(redis, NONE, NONE, NONE); LineClient c = session(without.port)) {
      c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
      c.cmd("RCPT TO:<postmaster@" + DOMAIN + ">").expect("550 5.1.1");
    }
  }

  @Test
  void eightBitMailToAHopWithout8bitmimeIsRefusedAndAnAsciiEnvelopeGoesWithoutSmtputf8() throws Exception {
    try (Stack stack = new Stack(redis, NONE, NONE, NONE)) {
      stack.smarthost.extensions = List.of("PIPELINING", "ENHANCEDSTATUSCODES");
      CreatedAlias alias = stack.alias("seven@dest.example", 5);
      try (LineClient c = session(stack.port)) {
        c.cmd("MAIL FROM:<a@b.example> BODY=8BITMIME").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: caf\u00e9\r\n\r\nna\u00efve\r\n.\r\n").expect("554 5.6.3");
        // All-ASCII envelope and content with SMTPUTF8 asked for: relayed without it.
        c.cmd("MAIL FROM:<a@b.example> SMTPUTF8").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("250 ");
        c.cmd("DATA").expect("354 ");
        c.send("Subject: plain\r\n\r\nascii\r\n.\r\n").expect("250 ");
        // A non-ASCII sender cannot be downgraded.
        c.cmd("MAIL FROM:<j\u00f6rg@b.example> SMTPUTF8").expect("250 ");
        c.cmd("RCPT TO:<" + rcpt(alias) + ">").expect("553 5.6.7");
      }
      assertThat(stack.smarthost.delivered).hasSize(1);
      assertThat(stack.smarthost.delivered.get(0).mailFrom())
          .as("no SMTPUTF8 parameter").matches("MAIL FROM:<" + MailPathTest.srs0("b.example", "a") + ">");
    }
  }
}
