package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.api.TestSupport.await;
import static org.tempalias.api.TestSupport.json;
import static org.tempalias.api.TestSupport.postJson;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.AliasId;
import org.tempalias.testsupport.Ports;
import org.tempalias.testsupport.TestRedis;

/** The API over real HTTP against the real store on a real (embedded) Redis. */
@Timeout(60)
class ApiWithStoreTest {
  private static TestRedis redis;
  private static Vertx vertx;
  private static ApiVerticle api;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    int redisPort = redis.port();
    vertx = TestSupport.vertxWithMetrics();
    TestSupport.deployStore(vertx, redisPort, 0);
    api = TestSupport.deployApi(vertx, new JsonObject());
    client = TestSupport.client(vertx, api);
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

  private static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(json(response).getString("error")).isEqualTo(code);
    assertThat(json(response).getString("description")).isNotBlank();
  }

  private static JsonObject create(String body) {
    HttpResponse<Buffer> response = postJson(client, body);
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("Cache-Control")).isEqualTo("no-store");
    return json(response);
  }

  @Test
  void theChromeExtensionsExactBody() {
    Instant before = Instant.now().minusSeconds(1);
    JsonObject alias = create("{\"target\":\"me@example.org\",\"max-usage\":10,\"days\":7}");
    // Every field the original clients read, and "confirmed" (issue 12) beside them.
    assertThat(alias.fieldNames()).containsExactlyInAnyOrder(
        "aid", "address", "valid_from", "valid_until", "max_usage", "target", "updatekey", "currentDate", "days",
        "confirmed");
    assertThat(alias.getBoolean("confirmed")).isTrue(); // this store needs no confirmation
    assertThat(AliasId.isWellFormed(alias.getString("aid"))).isTrue();
    assertThat(alias.getString("address")).isEqualTo(alias.getString("aid") + "@alias.test");
    assertThat(alias.getString("target")).isEqualTo("me@example.org");
    assertThat(alias.getInteger("max_usage")).isEqualTo(10);
    assertThat(alias.getInteger("days")).isEqualTo(7);
    assertThat(alias.getString("updatekey")).isNotBlank();
    Instant from = Instant.parse(alias.getString("valid_from"));
    Instant until = Instant.parse(alias.getString("valid_until"));
    Instant now = Instant.parse(alias.getString("currentDate"));
    assertThat(from).isAfter(before);
    assertThat(Duration.between(from, until)).isEqualTo(Duration.ofDays(7));
    assertThat(now).isAfterOrEqualTo(from);
    assertThat(alias.getString("currentDate")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  }

  @Test
  void numericStringsAndCharsetParameter() {
    HttpResponse<Buffer> response = await(client.post("/aliases")
        .putHeader("Content-Type", "application/json; charset=UTF-8")
        .sendBuffer(Buffer.buffer("{\"target\":\"me@example.org\",\"days\":\"3\",\"max-usage\":\"5\"}")));
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(json(response).getInteger("days")).isEqualTo(3);
    assertThat(json(response).getInteger("max_usage")).isEqualTo(5);
  }

  @Test
  void oneSidedLimitsAnswerNullForTheOtherSide() {
    JsonObject usesOnly = create("{\"target\":\"me@example.org\",\"max-usage\":2}");
    assertThat(usesOnly.containsKey("valid_until")).isTrue();
    assertThat(usesOnly.getValue("valid_until")).isNull();
    assertThat(usesOnly.getValue("days")).isNull();
    assertThat(usesOnly.getInteger("max_usage")).isEqualTo(2);
    JsonObject daysOnly = create("{\"target\":\"me@example.org\",\"days\":1,\"max-usage\":0}");
    assertThat(daysOnly.getValue("max_usage")).isNull();
    assertThat(daysOnly.getString("valid_until")).isNotNull();
  }

  @Test
  void aTargetInOneOfOurDomainsIsAMailLoop() {
    assertError(postJson(client, "{\"target\":\"someone@Alias.Test\",\"days\":1}"), 400, "invalid-data");
    assertThat(json(postJson(client, "{\"target\":\"someone@alias.test.example\",\"days\":1}")).getString("aid"))
        .isNotNull();
  }

  @Test
  void capsAreInclusiveAndConfigurable() {
    create("{\"target\":\"me@example.org\",\"days\":60,\"max-usage\":100}");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":61}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"max-usage\":101}"), 400, "invalid-data");

    ApiVerticle small = TestSupport.deployApi(vertx, new JsonObject().put("maxDays", 5).put("maxUsage", 2));
    WebClient smallClient = TestSupport.client(vertx, small);
    assertThat(postJson(smallClient, "{\"target\":\"me@example.org\",\"days\":5,\"max-usage\":2}").statusCode())
        .isEqualTo(200);
    assertError(postJson(smallClient, "{\"target\":\"me@example.org\",\"days\":6}"), 400, "invalid-data");
    assertError(postJson(smallClient, "{\"target\":\"me@example.org\",\"max-usage\":3}"), 400, "invalid-data");
  }

  @Test
  void quotedLocalPartsReachTheStoreUnchanged() {
    JsonObject alias = create("{\"target\":\"\\\"john doe\\\"@example.org\",\"days\":1}");
    assertThat(alias.getString("target")).isEqualTo("\"john doe\"@example.org");
  }

  @Test
  void getWithTheRightKeyShowsTheStatus() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"max-usage\":10,\"days\":7}");
    HttpResponse<Buffer> response = await(client.get("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject status = json(response);
    assertThat(status.fieldNames()).contains("aid", "address", "target", "valid_until", "max_usage",
        "uses_left", "uses_in_flight", "forwarded");
    assertThat(status.getString("aid")).isEqualTo(alias.getString("aid"));
    assertThat(status.getString("address")).isEqualTo(alias.getString("address"));
    assertThat(status.getString("target")).isEqualTo("me@example.org");
    assertThat(status.getString("valid_until")).isEqualTo(alias.getString("valid_until"));
    assertThat(status.getInteger("max_usage")).isEqualTo(10);
    assertThat(status.getInteger("uses_left")).isEqualTo(10);
    assertThat(status.getInteger("uses_in_flight")).isZero();
    assertThat(status.getLong("forwarded")).isZero();
    assertThat(status.containsKey("updatekey")).isFalse();

    // Ids are case-insensitive in the path, as the scheme name is in the header (RFC 9110 §11.1).
    HttpResponse<Buffer> upper = await(client.get("/aliases/" + alias.getString("aid").toUpperCase())
        .putHeader("Authorization", "bearer " + alias.getString("updatekey")).send());
    assertThat(upper.statusCode()).isEqualTo(200);
  }

  @Test
  void getWithoutAUseLimitSaysNull() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"days\":2}");
    JsonObject status = json(await(client.get("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send()));
    assertThat(status.getValue("max_usage")).isNull();
    assertThat(status.getValue("uses_left")).isNull();
  }

  @Test
  void wrongOrMissingKeyIsForbidden() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"days\":1}");
    String path = "/aliases/" + alias.getString("aid");
    HttpResponse<Buffer> wrong = await(client.get(path).putHeader("Authorization", "Bearer wrongkey").send());
    assertError(wrong, 403, "forbidden");
    assertThat(wrong.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertError(await(client.get(path).send()), 403, "forbidden");
    assertError(await(client.delete(path).putHeader("Authorization", "Bearer wrongkey").send()), 403, "forbidden");
    assertError(await(client.delete(path).send()), 403, "forbidden");
    // Nothing was deleted by the refused attempts.
    assertThat(await(client.get(path).putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send())
        .statusCode()).isEqualTo(200);
  }

  @Test
  void unknownAliasIsNotFound() {
    assertError(await(client.get("/aliases/zzzzzzzzzz").putHeader("Authorization", "Bearer x").send()),
        404, "not-found");
    assertError(await(client.delete("/aliases/zzzzzzzzzz").putHeader("Authorization", "Bearer x").send()),
        404, "not-found");
    assertError(await(client.get("/aliases/not-an-id").putHeader("Authorization", "Bearer x").send()),
        404, "not-found");
  }

  @Test
  void deleteRemovesTheAliasAtOnce() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"max-usage\":1}");
    String path = "/aliases/" + alias.getString("aid");
    String bearer = "Bearer " + alias.getString("updatekey");
    HttpResponse<Buffer> deleted = await(client.delete(path).putHeader("Authorization", bearer).send());
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(deleted.body()).isNull();
    assertError(await(client.get(path).putHeader("Authorization", bearer).send()), 404, "not-found");
    assertError(await(client.delete(path).putHeader("Authorization", bearer).send()), 404, "not-found");
  }

  private static HttpResponse<Buffer> patch(JsonObject alias, String contentType, String body) {
    return await(client.patch("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey"))
        .putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(body)));
  }

  @Test
  void patchRenewsWithinTheCapsAndAnswersTheNewStatus() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"max-usage\":3,\"days\":1}");
    Instant before = Instant.now().minusSeconds(1);
    HttpResponse<Buffer> renewed = patch(alias, "application/json", "{\"days\":30,\"max-usage\":\"50\"}");
    assertThat(renewed.statusCode()).as(renewed.bodyAsString()).isEqualTo(200);
    assertThat(renewed.getHeader("Cache-Control")).isEqualTo("no-store");
    JsonObject status = json(renewed);
    Instant until = Instant.parse(status.getString("valid_until"));
    assertThat(until).isBetween(before.plus(Duration.ofDays(30)), Instant.now().plus(Duration.ofDays(30)));
    assertThat(status.getInteger("uses_left")).isEqualTo(50);
    assertThat(status.getInteger("max_usage")).isEqualTo(50);
    assertThat(status.getJsonObject("caps")).isEqualTo(new JsonObject().put("days", 60).put("max-usage", 100));
    assertThat(status.containsKey("updatekey")).isFalse();

    // The same status on the next GET; at the caps exactly is within them.
    HttpResponse<Buffer> atCaps = patch(alias, "application/merge-patch+json", "{\"days\":60,\"max-usage\":100}");
    assertThat(atCaps.statusCode()).as(atCaps.bodyAsString()).isEqualTo(200);
    JsonObject got = json(await(client.get("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send()));
    assertThat(got.getInteger("uses_left")).isEqualTo(100);
    assertThat(got.getString("valid_until")).isEqualTo(json(atCaps).getString("valid_until"));

    // One side lifted (JSON merge patch: null removes), as long as the other remains.
    JsonObject timeless = json(patch(alias, "application/json", "{\"days\":null}"));
    assertThat(timeless.getValue("valid_until")).isNull();
    assertThat(timeless.getInteger("uses_left")).isEqualTo(100);
    assertError(patch(alias, "application/json", "{\"max-usage\":0}"), 400, "invalid-data");
  }

  @Test
  void patchBeyondTheCapsOrMalformedChangesNothing() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"max-usage\":3,\"days\":1}");
    for (String body : new String[] {"{\"days\":61}", "{\"max-usage\":101}", "{\"days\":-1}", "{\"days\":1.5}",
        "{\"max-usage\":1e400}", "{\"days\":0,\"max-usage\":0}", "{}", "{\"max_usage\":5}", "[]", "{\"days\":",
        "{\"days\":\"7 days\"}"}) {
      assertError(patch(alias, "application/json", body), 400, "invalid-data");
    }
    assertError(patch(alias, "text/plain", "{\"days\":7}"), 400, "invalid-request-type");
    HttpResponse<Buffer> tooBig = patch(alias, "application/json", "{\"days\":7," + " ".repeat(2000) + "}");
    assertError(tooBig, 413, "too-much-data");

    HttpResponse<Buffer> wrongKey = await(client.patch("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer wrongkey").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"days\":7}")));
    assertError(wrongKey, 403, "forbidden");
    assertError(await(client.patch("/aliases/zzzzzzzzzz").putHeader("Authorization", "Bearer x")
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"days\":7}"))), 404, "not-found");

    JsonObject status = json(await(client.get("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send()));
    assertThat(status.getInteger("uses_left")).isEqualTo(3);
    assertThat(status.getString("valid_until")).isEqualTo(alias.getString("valid_until"));
  }

  @Test
  void anAliasResourceSaysItTakesPatch() {
    HttpResponse<Buffer> options = await(client.request(io.vertx.core.http.HttpMethod.OPTIONS, "/aliases/zzzzzzzzzz").send());
    assertThat(options.getHeader("Allow")).isEqualTo("GET, PATCH, DELETE, OPTIONS");
    HttpResponse<Buffer> put = await(client.put("/aliases/zzzzzzzzzz").send());
    assertError(put, 405, "method-not-allowed");
    assertThat(put.getHeader("Allow")).contains("PATCH");
  }

  @Test
  void aSenderLockIsEchoedAndShownInTheStatus() {
    JsonObject alias = create("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"Shop.Example\"]}");
    assertThat(alias.getJsonArray("senders")).containsExactly("shop.example");
    assertThat(alias.getString("lock")).isEqualTo("senders");
    JsonObject status = json(await(client.get("/aliases/" + alias.getString("aid"))
        .putHeader("Authorization", "Bearer " + alias.getString("updatekey")).send()));
    assertThat(status.getJsonArray("senders")).containsExactly("shop.example");
    assertThat(status.getString("lock")).isEqualTo("senders");

    JsonObject first = create("{\"target\":\"me@example.org\",\"days\":7,\"lock\":\"first-sender\"}");
    JsonObject firstStatus = json(await(client.get("/aliases/" + first.getString("aid"))
        .putHeader("Authorization", "Bearer " + first.getString("updatekey")).send()));
    assertThat(firstStatus.getString("lock")).isEqualTo("first-sender");
    assertThat(firstStatus.getJsonArray("senders")).isEmpty();

    JsonObject open = create("{\"target\":\"me@example.org\",\"days\":7}");
    assertThat(open.containsKey("lock")).as("the original reply shape without a lock").isFalse();
    JsonObject openStatus = json(await(client.get("/aliases/" + open.getString("aid"))
        .putHeader("Authorization", "Bearer " + open.getString("updatekey")).send()));
    assertThat(openStatus.getValue("senders")).isNull();
    assertThat(openStatus.getValue("lock")).isNull();
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"nodot\"]}"), 400, "invalid-data");
  }

  @Test
  void storeRefusalsBecomeInvalidData() {
    // The API may be configured with a higher cap than the store; the store's own check wins.
    ApiVerticle generous = TestSupport.deployApi(vertx, new JsonObject().put("maxDays", 365));
    HttpResponse<Buffer> response = postJson(TestSupport.client(vertx, generous),
        "{\"target\":\"me@example.org\",\"days\":100}");
    assertError(response, 400, "invalid-data");
    assertThat(json(response).getString("description")).contains("60 days");
  }

  @Test
  void healthIsUpWhenStoreAndRedisAnswer() {
    HttpResponse<Buffer> response = await(client.get("/health").send());
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    JsonObject body = json(response);
    assertThat(body.getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("checks").getJsonObject("store").getString("status")).isEqualTo("UP");
    assertThat(body.getJsonObject("checks").getJsonObject("redis").getString("status")).isEqualTo("UP");
  }

  @Test
  void withRedisDownHealthAndCreateAre503() throws Exception {
    Vertx isolated = Vertx.vertx();
    try {
      TestSupport.deployStore(isolated, Ports.free(), 0);
      ApiVerticle lonely = TestSupport.deployApi(isolated, new JsonObject());
      WebClient lonelyClient = TestSupport.client(isolated, lonely);
      HttpResponse<Buffer> health = await(lonelyClient.get("/health").send());
      assertThat(health.statusCode()).isEqualTo(503);
      JsonObject body = json(health);
      assertThat(body.getString("status")).isEqualTo("DOWN");
      assertThat(body.getJsonObject("checks").getJsonObject("store").getString("status")).isEqualTo("UP");
      assertThat(body.getJsonObject("checks").getJsonObject("redis").getString("status")).isEqualTo("DOWN");
      assertError(postJson(lonelyClient, "{\"target\":\"me@example.org\",\"days\":1}"), 503, "server-error");
    } finally {
      await(isolated.close());
    }
  }

  @Test
  void undeployedStoreMeans503() {
    Vertx isolated = Vertx.vertx();
    try {
      String storeId = await(isolated.deployVerticle(new org.tempalias.store.StoreVerticle(),
          new io.vertx.core.DeploymentOptions().setConfig(new JsonObject().put("store",
              new JsonObject().put("redisUrl", "redis://127.0.0.1:" + redis.port())))));
      ApiVerticle api2 = TestSupport.deployApi(isolated, new JsonObject());
      WebClient client2 = TestSupport.client(isolated, api2);
      assertThat(await(client2.get("/health").send()).statusCode()).isEqualTo(200);
      assertThat(postJson(client2, "{\"target\":\"me@example.org\",\"days\":1}").statusCode()).isEqualTo(200);
      await(isolated.undeploy(storeId));
      assertError(postJson(client2, "{\"target\":\"me@example.org\",\"days\":1}"), 503, "server-error");
      assertThat(await(client2.get("/health").send()).statusCode()).isEqualTo(503);
    } finally {
      await(isolated.close());
    }
  }
}
