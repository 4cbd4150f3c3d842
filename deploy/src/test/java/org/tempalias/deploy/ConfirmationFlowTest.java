package org.tempalias.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.testsupport.Await.await;
import static org.tempalias.testsupport.Await.waitFor;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;
import org.tempalias.testsupport.Ports;
import org.tempalias.testsupport.ScriptedSmarthost;
import org.tempalias.testsupport.Services;
import org.tempalias.testsupport.TestRedis;

/**
 * Issue 12 end to end on one Vert.x: the API, the store (targets must confirm), two relays and two
 * gateways, a scripted smarthost that records both the confirmation mail and forwarded mail.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConfirmationFlowTest {
  static final Pattern LINK = Pattern.compile("(http://127\\.0\\.0\\.1:\\d+/confirm/([A-Za-z0-9_-]{32}))");
  static TestRedis redis;
  static Vertx vertx;
  static ScriptedSmarthost smarthost;
  static int httpPort;
  static int smtpPort;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    vertx = Vertx.vertx();
    smarthost = new ScriptedSmarthost();
    await(smarthost.start(vertx));
    httpPort = Ports.free();
    smtpPort = Ports.free();
    JsonObject config = new JsonObject()
        .put("domains", new JsonArray().add("tempalias.test"))
        .put("http", new JsonObject().put("host", "127.0.0.1").put("port", httpPort))
        .put("smtp", new JsonObject().put("host", "127.0.0.1").put("port", smtpPort))
        .put("srs", new JsonObject().put("enabled", false))
        .put("confirm", new JsonObject().put("resendMinutes", "0.001").put("pendingHours", "0.0006"));
    Services.deployStore(vertx, redis, new JsonObject(), config.getJsonObject("confirm"));
    Services.deployRelay(vertx, smarthost.port(), 2, new JsonObject());
    Services.deploy(vertx, "org.tempalias.api.ApiVerticle", 1, config);
    Services.deploy(vertx, Services.GATEWAY, 2, config);
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
    redis.stop();
  }

  @BeforeEach
  void clear() {
    smarthost.delivered.clear();
  }

  JsonObject create(String target) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/aliases"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"target\":\"" + target + "\",\"days\":2,\"max-usage\":5}")).build(),
        HttpResponse.BodyHandlers.ofString());
    return new JsonObject(r.body()).put("status", r.statusCode());
  }

  HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String url, String action) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString("action=" + action)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The link of the confirmation mail to {@code target}, once it arrived. */
  String linkFor(String target) {
    waitFor("the confirmation mail to " + target, () -> smarthost.delivered.stream()
        .anyMatch(d -> d.recipients().contains(target)));
    ScriptedSmarthost.Delivered mail = smarthost.delivered.stream().filter(d -> d.recipients().contains(target))
        .findFirst().orElseThrow();
    Matcher m = LINK.matcher(mail.text());
    assertThat(m.find()).as(mail.text()).isTrue();
    return m.group(1);
  }

  String rcpt(String aid) throws Exception {
    try (LineClient c = new LineClient(smtpPort)) {
      c.expect("220 ");
      c.cmd("EHLO client.example").expect("250 ");
      c.cmd("MAIL FROM:<friend@sender.example>").expect("250 ");
      String reply = c.cmd("RCPT TO:<" + aid + "@tempalias.test>").reply();
      if (reply.startsWith("250")) {
        c.cmd("DATA").expect("354 ");
        c.send("Subject: hello\r\n\r\nhi\r\n.\r\n").expect("250 ");
      }
      return reply;
    }
  }

  @Test
  void aTargetConfirmsThroughItsLinkAndItsAliasesForward() throws Exception {
    JsonObject alias = create("new.person@dest.example");
    assertThat(alias.getInteger("status")).isEqualTo(200);
    assertThat(alias.getBoolean("confirmed")).isFalse();
    // Every field the 2010 Chrome extension reads is still there.
    assertThat(alias.fieldNames()).contains("aid", "address", "valid_from", "valid_until", "max_usage", "target",
        "updatekey", "currentDate", "days");
    String link = linkFor("new.person@dest.example");
    ScriptedSmarthost.Delivered mail = smarthost.delivered.get(0);
    assertThat(mail.sender()).isEqualTo("postmaster@tempalias.test");
    assertThat(mail.text()).contains("Auto-Submitted: auto-generated", "Message-ID: <", "Date: ",
        "multipart/alternative", "text/plain", "text/html", alias.getString("address"))
        .doesNotContain("127.0.0.1 "); // the creator's address is nobody's business
    String aid = alias.getString("aid");
    assertThat(rcpt(aid)).startsWith("451 4.7.1");

    // A mail scanner fetches the link: nothing changes.
    HttpResponse<String> page = get(link);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
    assertThat(page.body()).contains(alias.getString("address"), "name=\"action\" value=\"confirm\"",
        "value=\"block\"").doesNotContain("new.person");
    assertThat(rcpt(aid)).startsWith("451 4.7.1");
    assertThat(get("http://127.0.0.1:" + httpPort + "/aliases/" + aid + "?x").statusCode()).isNotEqualTo(500);

    HttpResponse<String> done = post(link, "confirm");
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("Confirmed");
    assertThat(rcpt(aid)).startsWith("250 ");
    HttpResponse<String> status = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/aliases/"
        + aid)).header("Authorization", "Bearer " + alias.getString("updatekey")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(new JsonObject(status.body()).getBoolean("confirmed")).isTrue();

    // The next alias for a confirmed target forwards at once, and no mail asks again.
    smarthost.delivered.clear();
    JsonObject next = create("NEW.PERSON@dest.example");
    assertThat(next.getBoolean("confirmed")).isTrue();
    assertThat(rcpt(next.getString("aid"))).startsWith("250 ");
    assertThat(smarthost.delivered).allMatch(d -> d.recipients().contains("NEW.PERSON@dest.example"));
  }

  @Test
  void theConfirmationPageIssuesAnApiTokenOnlyOnceConfirmed() throws Exception {
    JsonObject alias = create("manager.user@dest.example");
    String link = linkFor("manager.user@dest.example");
    HttpResponse<String> early = post(link, "token");
    assertThat(early.statusCode()).as("before confirming").isEqualTo(409);
    assertThat(early.body()).contains("Confirm first").doesNotContain("ta_");

    HttpResponse<String> confirmed = post(link, "confirm");
    assertThat(confirmed.body()).contains("Get an API token", "value=\"token\"");
    HttpResponse<String> page = post(link, "token");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-store");
    Matcher token = Pattern.compile("<code class=\"token\" id=\"api-token\">(ta_[A-Za-z0-9_-]+)</code>").matcher(page.body());
    assertThat(token.find()).as(page.body()).isTrue();
    assertThat(page.body()).contains("addy.io", "http://127.0.0.1:" + httpPort, "tempalias.test", "for 30 days");
    HttpResponse<String> reload = post(link, "token");
    assertThat(reload.statusCode()).as("a link gives one token").isEqualTo(409);
    assertThat(reload.body()).contains("gave its token already").doesNotContain("ta_");

    // The token makes aliases that forward to the confirmed target, over SMTP through the gateway.
    HttpResponse<String> made = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
            + "/api/v1/aliases")).header("Authorization", "Bearer " + token.group(1))
        .header("Content-Type", "application/json").header("X-Requested-With", "XMLHttpRequest")
        .POST(HttpRequest.BodyPublishers.ofString("{\"domain\":\"tempalias.test\",\"description\":\"Generated by Bitwarden.\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(made.statusCode()).as(made.body()).isEqualTo(201);
    String email = new JsonObject(made.body()).getJsonObject("data").getString("email");
    smarthost.delivered.clear();
    assertThat(rcpt(email.substring(0, email.indexOf('@')))).startsWith("250 ");
    waitFor("the forwarded message", () -> !smarthost.delivered.isEmpty());
    assertThat(smarthost.delivered.get(0).recipients()).containsExactly("manager.user@dest.example");
    assertThat(alias.getString("aid")).isNotEqualTo(email.substring(0, 10));
  }

  @Test
  void blockingRemovesTheWaitingAliasesAndRefusesNewOnes() throws Exception {
    JsonObject alias = create("victim@dest.example");
    String link = linkFor("victim@dest.example");
    HttpResponse<String> done = post(link, "block");
    assertThat(done.body()).contains("Blocked", "confirm instead");
    assertThat(rcpt(alias.getString("aid"))).startsWith("550 5.1.1");
    JsonObject refused = create("victim@dest.example");
    assertThat(refused.getInteger("status")).isEqualTo(403);
    assertThat(refused.getString("error")).isEqualTo("target-refused");
    assertThat(post(link, "maybe").statusCode()).isEqualTo(400);
    assertThat(get("http://127.0.0.1:" + httpPort + "/confirm/" + "A".repeat(32)).statusCode()).isEqualTo(404);
  }

  @Test
  void confirmationMailsAreLimitedAndAWaitingAliasExpires() throws Exception {
    for (int i = 0; i < 5; i++) {
      create("busy.inbox@dest.example");
      Thread.sleep(80); // past the (shortened) resend interval each time
    }
    waitFor("three mails", () -> smarthost.delivered.size() >= 3);
    Thread.sleep(300);
    assertThat(smarthost.delivered).hasSize(3); // at most three a day
    JsonObject late = create("too.late@dest.example");
    Thread.sleep(2_500); // past the (shortened) wait
    assertThat(rcpt(late.getString("aid"))).startsWith("550 5.1.1");
    assertThat(get(linkFor("too.late@dest.example")).statusCode()).isEqualTo(404);
    assertThat(new String(get("http://127.0.0.1:" + httpPort + "/confirm.css").body().getBytes(StandardCharsets.UTF_8)))
        .contains("button");
  }
}
