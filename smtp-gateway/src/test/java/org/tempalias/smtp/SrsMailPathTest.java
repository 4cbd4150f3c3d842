package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.MailPathTest.session;
import static org.tempalias.smtp.MailPathTest.stripReceived;
import static org.tempalias.smtp.MailPathTest.transaction;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.smtp.srs.Postsrsd;
import org.tempalias.smtp.srs.Srs;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.TestRedis;

/**
 * Issue 11 end to end: senders rewritten with SRS on the way out, bounces to SRS addresses routed
 * back, checked against the real postsrsd where it is installed. The gateway runs with an SRS
 * domain of its own ({@code bounces.tempalias.test}, not an alias domain) and a secrets file whose
 * second line is a retired secret.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SrsMailPathTest {
  static final String SRS_DOMAIN = "bounces.tempalias.test";
  static final String SECRET = "current-secret-0123456789";
  static final String RETIRED = "retired-secret-9876543210";
  static TestRedis redis;
  static Stack stack;
  @TempDir static Path dir;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    Path secrets = Files.write(dir.resolve("srs.secrets"), List.of(SECRET, RETIRED));
    stack = new Stack(redis, new JsonObject(), new JsonObject(), new JsonObject(), new JsonObject().put("srs",
        new JsonObject().put("domain", SRS_DOMAIN).put("secretsFile", secrets.toString())));
  }

  @AfterAll
  static void stop() {
    stack.close();
    redis.stop();
  }

  static Srs codec(String secret, long epochSeconds) {
    return new Srs(List.of(secret.getBytes(StandardCharsets.ISO_8859_1)), SRS_DOMAIN, 21, () -> epochSeconds);
  }

  static String bounceTo(LineClient c, String rcpt) throws Exception {
    return transaction(c, "", rcpt, ("From: MAILER-DAEMON@target.example\r\nSubject: Undelivered Mail\r\n\r\n"
        + "The message could not be delivered.\r\n").getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void theSenderIsRewrittenAndPostsrsdReversesIt() throws Exception {
    CreatedAlias alias = stack.alias("me@dest.example", 5);
    byte[] body = "From: Jane <jane@shop.example>\r\nDKIM-Signature: v=1; d=shop.example; b=x\r\nSubject: hi\r\n\r\nbody\r\n"
        .getBytes(StandardCharsets.US_ASCII);
    stack.smarthost.delivered.clear();
    try (LineClient c = session(stack.port)) {
      assertThat(transaction(c, "jane@shop.example", alias.aid() + "@tempalias.test", body)).startsWith("250 ");
    }
    String sender = stack.smarthost.delivered.get(0).sender();
    assertThat(sender).matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=shop\\.example=jane@" + SRS_DOMAIN.replace(".", "\\."));
    // Headers and body untouched: the sender's DKIM signature still verifies.
    assertThat(stripReceived(stack.smarthost.delivered.get(0).text())).isEqualTo(new String(body, StandardCharsets.US_ASCII));
    try (Postsrsd postsrsd = Postsrsd.start(dir, SRS_DOMAIN, List.of(SECRET, RETIRED))) {
      assertThat(postsrsd.reverse(sender)).isEqualTo("200 jane@shop.example");
    }
  }

  @Test
  void theNullSenderAndOurOwnDomainsAreNotRewritten() throws Exception {
    CreatedAlias alias = stack.alias("me2@dest.example", 5);
    stack.smarthost.delivered.clear();
    try (LineClient c = session(stack.port)) {
      assertThat(transaction(c, "", alias.aid() + "@tempalias.test", MailPathTest.simpleMessage("null"))).startsWith("250");
      assertThat(transaction(c, "someone@alias.example", alias.aid() + "@tempalias.test", MailPathTest.simpleMessage("ours")))
          .startsWith("250");
    }
    assertThat(stack.smarthost.delivered).extracting(d -> d.sender()).containsExactly("", "someone@alias.example");
  }

  @Test
  void aBounceToAnAddressPostsrsdWroteReachesTheOriginalSender() throws Exception {
    CreatedAlias alias = stack.alias("me3@dest.example", 3);
    stack.smarthost.delivered.clear();
    String address;
    try (Postsrsd postsrsd = Postsrsd.start(dir, SRS_DOMAIN, List.of(RETIRED))) {
      address = postsrsd.forward("Bob.Smith@sender.example").substring(4); // signed with the retired secret
    }
    try (LineClient c = session(stack.port)) {
      assertThat(bounceTo(c, address)).startsWith("250 ");
    }
    assertThat(stack.smarthost.delivered).hasSize(1);
    assertThat(stack.smarthost.delivered.get(0).recipients()).containsExactly("Bob.Smith@sender.example");
    assertThat(stack.smarthost.delivered.get(0).sender()).isEmpty();
    assertThat(stack.usesLeft(alias)).as("a bounce uses no alias").isEqualTo(3);
  }

  @Test
  void ourOwnAddressesBounceBackToo() throws Exception {
    stack.smarthost.delivered.clear();
    String address = codec(SECRET, System.currentTimeMillis() / 1000)
        .forward(new Srs.Address("o'neil", "sender.example")).toString();
    try (LineClient c = session(stack.port)) {
      assertThat(bounceTo(c, address.toLowerCase())).startsWith("250 "); // case does not matter
    }
    assertThat(stack.smarthost.delivered.get(0).recipients()).containsExactly("o'neil@sender.example");
  }

  @Test
  void forgedTruncatedExpiredAndMisroutedBounceAddressesAreRefused() throws Exception {
    CreatedAlias alias = stack.alias("me4@dest.example", 2);
    stack.smarthost.delivered.clear();
    long now = System.currentTimeMillis() / 1000;
    String good = codec(SECRET, now).forward(new Srs.Address("victim", "sender.example")).local();
    String forged = good.substring(0, 5) + (good.charAt(5) == 'Q' ? 'R' : 'Q') + good.substring(6);
    String old = codec(SECRET, now - 30 * 86_400L).forward(new Srs.Address("victim", "sender.example")).local();
    String otherSecret = codec("someone else's", now).forward(new Srs.Address("victim", "sender.example")).local();
    String loop = codec(SECRET, now).forward(new Srs.Address("x", "tempalias.test")).local();
    try (LineClient c = session(stack.port)) {
      c.cmd("MAIL FROM:<>").expect("250 ");
      c.cmd("RCPT TO:<" + forged + "@" + SRS_DOMAIN + ">").expect("550 5.1.1 Invalid bounce address");
      c.cmd("RCPT TO:<" + good.substring(0, good.lastIndexOf('=')) + "@" + SRS_DOMAIN + ">").expect("550 5.1.1");
      c.cmd("RCPT TO:<" + otherSecret + "@" + SRS_DOMAIN + ">").expect("550 5.1.1");
      c.cmd("RCPT TO:<" + old + "@" + SRS_DOMAIN + ">").expect("550 5.1.1 Bounce address expired");
      c.cmd("RCPT TO:<" + loop + "@" + SRS_DOMAIN + ">").expect("550 5.4.6");
      // The relay tricks: a valid SRS local part elsewhere, a source route, a %-hack inside.
      c.cmd("RCPT TO:<" + good + "@evil.example>").expect("550 5.7.1");
      c.cmd("RCPT TO:<@evil.example:" + good + "@" + SRS_DOMAIN + ">").expect("550 5.7.1");
      c.cmd("RCPT TO:<SRS0=AAAA=AA=evil.example=x%victim.example@" + SRS_DOMAIN + ">").expect("550 5.1.1");
      c.cmd("RCPT TO:<" + alias.aid() + "@" + SRS_DOMAIN + ">").expect("550 5.1.1"); // no aliases here
      c.cmd("RCPT TO:<" + good + "@" + SRS_DOMAIN + ">").expect("250 ");
    }
    assertThat(stack.smarthost.delivered).isEmpty();
    assertThat(stack.usesLeft(alias)).isEqualTo(2);
  }

  @Test
  void withoutASecretsFileTheInstancesOfANodeShareOneSecret() throws Exception {
    try (Stack plain = new Stack(redis, new JsonObject(), new JsonObject(), new JsonObject())) {
      CreatedAlias alias = plain.alias("me5@dest.example", 5);
      for (int i = 0; i < 4; i++) { // connections alternate between the two gateway instances
        try (LineClient c = session(plain.port)) {
          assertThat(transaction(c, "jane@shop.example", alias.aid() + "@tempalias.test",
              MailPathTest.simpleMessage("n" + i))).startsWith("250 ");
        }
      }
      for (int i = 0; i < 4; i++) {
        String srs = plain.smarthost.delivered.get(i).sender();
        try (LineClient c = session(plain.port)) {
          assertThat(bounceTo(c, srs)).as("bounce " + i + " to " + srs).startsWith("250 ");
        }
      }
    }
  }

}
