package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.api.TestSupport.await;
import static org.tempalias.api.TestSupport.json;
import static org.tempalias.api.TestSupport.postJson;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.contract.CreateAlias;
import org.tempalias.contract.StoreAddress;

/**
 * The API over real HTTP with no store on the event bus (an outage), or with a scripted fake
 * store where a test needs a fault or wants to see what the API sends. Everything that is decided
 * before the store is asked is tested here too.
 */
@Timeout(30)
class ApiWithoutStoreTest {
  private static final String VALID = "{\"target\":\"me@example.org\",\"max-usage\":10,\"days\":7}";

  private static Vertx vertx;
  private static ApiVerticle api;
  private static WebClient client;
  private final List<MessageConsumer<?>> fakes = new ArrayList<>();

  @BeforeAll
  static void start() {
    vertx = TestSupport.vertxWithMetrics();
    api = TestSupport.deployApi(vertx, new JsonObject()
        .put("storeTimeoutMillis", 300)
        .put("trustedProxies", new JsonArray().add("127.0.0.1")));
    client = TestSupport.client(vertx, api);
  }

  @AfterAll
  static void stop() {
    await(vertx.close());
  }

  @AfterEach
  void removeFakes() {
    for (MessageConsumer<?> fake : fakes) {
      await(fake.unregister());
    }
    fakes.clear();
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String code) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("Content-Type")).startsWith("application/json");
    JsonObject body = json(response);
    assertThat(body.fieldNames()).containsExactlyInAnyOrder("error", "description");
    assertThat(body.getString("error")).isEqualTo(code);
    assertThat(body.getString("description")).isNotBlank();
  }

  // ---- store outage ---------------------------------------------------------------------------

  @Test
  void createWithoutStoreIs503() {
    HttpResponse<Buffer> response = postJson(client, VALID);
    assertError(response, 503, "server-error");
    assertThat(response.getHeader("Retry-After")).isNotBlank();
  }

  @Test
  void getAndDeleteWithoutStoreAre503() {
    assertError(await(client.get("/aliases/abcdefghij").putHeader("Authorization", "Bearer k").send()),
        503, "server-error");
    assertError(await(client.delete("/aliases/abcdefghij").putHeader("Authorization", "Bearer k").send()),
        503, "server-error");
  }

  @Test
  void silentStoreTimesOutInto503() {
    fakes.add(vertx.eventBus().consumer(StoreAddress.CREATE, message -> { }));
    long started = System.nanoTime();
    assertError(postJson(client, VALID), 503, "server-error");
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(250);
  }

  @Test
  void unreadableStoreAnswerIs500() {
    fakes.add(vertx.eventBus().<JsonObject>consumer(StoreAddress.CREATE,
        message -> message.reply(new JsonObject().put("createdAtMillis", "yesterday"))));
    assertError(postJson(client, VALID), 500, "server-error");
  }

  @Test
  void healthWithoutStoreIs503AndSaysWhatIsDown() {
    HttpResponse<Buffer> response = await(client.get("/health").send());
    assertThat(response.statusCode()).isEqualTo(503);
    JsonObject body = json(response);
    assertThat(body.getString("status")).isEqualTo("DOWN");
    assertThat(body.getJsonObject("checks").getJsonObject("store").getString("status")).isEqualTo("DOWN");
    assertThat(body.getJsonObject("checks").getJsonObject("store").getString("reason"))
        .contains("no consumer on " + StoreAddress.PING);
    assertThat(body.getJsonObject("checks").getJsonObject("redis").getString("status")).isEqualTo("UNKNOWN");
  }

  @Test
  void healthWithASilentStoreIs503() {
    fakes.add(vertx.eventBus().consumer(StoreAddress.PING, message -> { }));
    HttpResponse<Buffer> response = await(client.get("/health").send());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(json(response).getJsonObject("checks").getJsonObject("store").getString("reason"))
        .contains("no answer on " + StoreAddress.PING + " within 300 ms");
  }

  // ---- what the API hands the store -----------------------------------------------------------

  @Test
  void sendsTheCheckedRequestAndTheClientAddressToTheStore() {
    List<CreateAlias> seen = new CopyOnWriteArrayList<>();
    fakes.add(vertx.eventBus().<JsonObject>consumer(StoreAddress.CREATE, message -> {
      seen.add(CreateAlias.fromJson(message.body()));
      message.fail(503, "fake store");
    }));
    // The socket peer 127.0.0.1 is a trusted proxy here; 10.0.0.1 is not, so it is the client.
    await(client.post("/aliases")
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Forwarded-For", "198.51.100.1, 10.0.0.1")
        .sendBuffer(Buffer.buffer("{\"target\":\"me@example.org\",\"days\":\"2\"}")));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).target()).isEqualTo("me@example.org");
    assertThat(seen.get(0).lifetimeMillis()).isEqualTo(2L * 24 * 3600 * 1000);
    assertThat(seen.get(0).maxUsage()).isZero();
    assertThat(seen.get(0).clientIp()).isEqualTo("10.0.0.1");
  }

  @Test
  void forwardedForFromAnUntrustedPeerIsIgnored() {
    ApiVerticle untrusting = TestSupport.deployApi(vertx, new JsonObject());
    WebClient other = TestSupport.client(vertx, untrusting);
    List<String> seen = new CopyOnWriteArrayList<>();
    fakes.add(vertx.eventBus().<JsonObject>consumer(StoreAddress.CREATE, message -> {
      seen.add(CreateAlias.fromJson(message.body()).clientIp());
      message.fail(503, "fake store");
    }));
    await(other.post("/aliases")
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Forwarded-For", "198.51.100.1")
        .sendBuffer(Buffer.buffer(VALID)));
    assertThat(seen).containsExactly("127.0.0.1");
  }

  // ---- request errors -------------------------------------------------------------------------

  @Test
  void wrongContentTypeIsInvalidRequestType() {
    assertError(await(client.post("/aliases").putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer(VALID))), 400, "invalid-request-type");
    assertError(await(client.post("/aliases").putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer("target=me%40example.org&days=7"))), 400, "invalid-request-type");
    assertError(await(client.post("/aliases").sendBuffer(Buffer.buffer(VALID))), 400, "invalid-request-type");
  }

  @Test
  void bodyOverOneKibIsTooMuchData() {
    String padded = "{\"target\":\"me@example.org\",\"days\":7,\"pad\":\"" + "x".repeat(1000) + "\"}";
    assertThat(padded.length()).isGreaterThan(1024);
    assertError(postJson(client, padded), 413, "too-much-data");
  }

  @Test
  void chunkedBodyOverOneKibIsTooMuchData() {
    HttpClient http = vertx.createHttpClient();
    try {
      JsonObject answer = await(http.request(HttpMethod.POST, api.port(), "127.0.0.1", "/aliases")
          .compose(request -> {
            request.setChunked(true).putHeader("Content-Type", "application/json");
            request.write("{\"target\":\"me@example.org\",\"days\":7,\"pad\":\"");
            for (int i = 0; i < 20; i++) {
              request.write("x".repeat(100));
            }
            request.end("\"}");
            return request.response();
          })
          .compose(response -> response.body()
              .map(body -> new JsonObject(body).put("status", response.statusCode()))));
      assertThat(answer.getInteger("status")).isEqualTo(413);
      assertThat(answer.getString("error")).isEqualTo("too-much-data");
    } finally {
      await(http.close());
    }
  }

  @Test
  void invalidData() {
    assertError(postJson(client, "{\"target\":"), 400, "invalid-data");
    assertError(postJson(client, "[]"), 400, "invalid-data");
    assertError(postJson(client, ""), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\"}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":0,\"max-usage\":0}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":-1}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":1.5}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":\"seven\"}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":1e30}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"days\":61}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\",\"max-usage\":\"101\"}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@localhost\",\"days\":7}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@example.org\\r\\nDATA\",\"days\":7}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"<me@example.org>\",\"days\":7}"), 400, "invalid-data");
    assertError(postJson(client, "{\"target\":\"me@[192.0.2.1]\",\"days\":7}"), 400, "invalid-data");
  }

  @Test
  void otherMethodsOnAliasesAre405WithAllow() {
    HttpResponse<Buffer> get = await(client.get("/aliases").send());
    assertError(get, 405, "method-not-allowed");
    assertThat(get.getHeader("Allow")).isEqualTo("POST, OPTIONS");
    for (HttpMethod method : List.of(HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.PATCH)) {
      HttpResponse<Buffer> response = await(client.request(method, "/aliases").send());
      assertError(response, 405, "method-not-allowed");
    }
    HttpResponse<Buffer> put = await(client.put("/aliases/abcdefghij").send());
    assertError(put, 405, "method-not-allowed");
    assertThat(put.getHeader("Allow")).isEqualTo("GET, PATCH, DELETE, OPTIONS");
    HttpResponse<Buffer> postHealth = await(client.post("/health").send());
    assertError(postHealth, 405, "method-not-allowed");
    assertThat(postHealth.getHeader("Allow")).isEqualTo("GET");
  }

  @Test
  void plainOptionsListsTheMethods() {
    HttpResponse<Buffer> response = await(client.request(HttpMethod.OPTIONS, "/aliases").send());
    assertThat(response.statusCode()).isEqualTo(204);
    assertThat(response.getHeader("Allow")).isEqualTo("POST, OPTIONS");
  }

  @Test
  void malformedAidIs404AndMissingKeyIs403() {
    assertError(await(client.get("/aliases/short").putHeader("Authorization", "Bearer k").send()),
        404, "not-found");
    assertError(await(client.delete("/aliases/abc$%defgh").putHeader("Authorization", "Bearer k").send()),
        404, "not-found");
    HttpResponse<Buffer> missing = await(client.get("/aliases/abcdefghij").send());
    assertError(missing, 403, "forbidden");
    assertThat(missing.getHeader("WWW-Authenticate")).startsWith("Bearer");
    assertError(await(client.get("/aliases/abcdefghij").putHeader("Authorization", "Basic dXNlcjpwYXNz").send()),
        403, "forbidden");
    assertError(await(client.delete("/aliases/abcdefghij").putHeader("Authorization", "Bearer").send()),
        403, "forbidden");
  }

  @Test
  void unknownRoutesAre404Json() {
    assertError(await(client.get("/nope").send()), 404, "not-found");
    assertError(await(client.get("/aliases/abcdefghij/extra").send()), 404, "not-found");
    assertError(await(client.get("/%zz").send()), 400, "invalid-data");
    HttpResponse<Buffer> post = await(client.post("/nope").send());
    assertError(post, 405, "method-not-allowed");
    assertThat(post.getHeader("Allow")).isEqualTo("GET, HEAD");
  }

  // ---- CORS -----------------------------------------------------------------------------------

  @Test
  void corsPreflightAllowsAnyOriginWithoutCredentials() {
    HttpResponse<Buffer> response = await(client.request(HttpMethod.OPTIONS, "/aliases/abcdefghij")
        .putHeader("Origin", "https://somewhere.example")
        .putHeader("Access-Control-Request-Method", "DELETE")
        .putHeader("Access-Control-Request-Headers", "authorization, content-type")
        .send());
    assertThat(response.statusCode()).isIn(200, 204);
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
    assertThat(response.getHeader("Access-Control-Allow-Methods")).contains("DELETE", "GET", "POST");
    assertThat(response.getHeader("Access-Control-Allow-Headers").toLowerCase())
        .contains("authorization", "content-type");
    assertThat(response.getHeader("Access-Control-Allow-Credentials")).isNull();
  }

  @Test
  void corsHeadersAreOnErrorsToo() {
    HttpResponse<Buffer> response = await(client.post("/aliases")
        .putHeader("Origin", "https://somewhere.example")
        .putHeader("Content-Type", "text/plain")
        .sendBuffer(Buffer.buffer("x")));
    assertError(response, 400, "invalid-request-type");
    assertThat(response.getHeader("Access-Control-Allow-Origin")).isEqualTo("*");
  }

  @Test
  void configuredOriginsOnly() {
    ApiVerticle strict = TestSupport.deployApi(vertx, new JsonObject()
        .put("corsOrigins", new JsonArray().add("https://good.example")));
    WebClient other = TestSupport.client(vertx, strict);
    HttpResponse<Buffer> good = await(other.request(HttpMethod.OPTIONS, "/aliases")
        .putHeader("Origin", "https://good.example")
        .putHeader("Access-Control-Request-Method", "POST")
        .send());
    assertThat(good.statusCode()).isIn(200, 204);
    assertThat(good.getHeader("Access-Control-Allow-Origin")).isEqualTo("https://good.example");
    HttpResponse<Buffer> bad = await(other.request(HttpMethod.OPTIONS, "/aliases")
        .putHeader("Origin", "https://evil.example")
        .putHeader("Access-Control-Request-Method", "POST")
        .send());
    assertError(bad, 403, "forbidden");
    assertThat(bad.getHeader("Access-Control-Allow-Origin")).isNull();
  }

  // ---- /metrics, /openapi.yaml, static files ---------------------------------------------------

  @Test
  void metricsArePrometheusText() {
    await(client.get("/nope").send());
    HttpResponse<Buffer> response = await(client.get("/metrics").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
    assertThat(response.bodyAsString()).contains("vertx_http_server_requests_total");
  }

  @Test
  void metricsWithoutMicrometerAre503() {
    Vertx plain = Vertx.vertx();
    try {
      ApiVerticle bare = TestSupport.deployApi(plain, new JsonObject());
      assertError(await(TestSupport.client(plain, bare).get("/metrics").send()), 503, "server-error");
    } finally {
      await(plain.close());
    }
  }

  @Test
  void openApiDocumentNamesEveryRoute() {
    HttpResponse<Buffer> response = await(client.get("/openapi.yaml").send());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.getHeader("Content-Type")).startsWith("application/yaml");
    String yaml = response.bodyAsString();
    assertThat(yaml).startsWith("openapi: 3.");
    assertThat(yaml).contains("  /aliases:", "  /aliases/{aid}:", "  /health:", "  /metrics:", "  /openapi.yaml:");
    assertThat(yaml).contains("method-not-allowed", "invalid-request-type", "too-much-data", "invalid-data",
        "rate-limited", "not-found", "forbidden", "server-error");
    assertThat(yaml).contains("valid_from", "valid_until", "max_usage", "updatekey", "currentDate",
        "uses_left", "uses_in_flight", "forwarded", "max-usage");
    assertThat(yaml).doesNotContain("\t");
  }

  @Test
  void staticFilesFromTheClasspathWebroot() {
    HttpResponse<Buffer> page = await(client.get("/").send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");

    HttpResponse<Buffer> file = await(client.get("/test-fixture.txt").send());
    assertThat(file.statusCode()).isEqualTo(200);
    assertThat(file.bodyAsString()).contains("fixture");
    assertThat(file.getHeader("Cache-Control")).isEqualTo("no-cache");
    assertThat(file.getHeader("Last-Modified")).isNotBlank();
    HttpResponse<Buffer> again = await(client.get("/test-fixture.txt")
        .putHeader("If-Modified-Since", file.getHeader("Last-Modified")).send());
    assertThat(again.statusCode()).isEqualTo(304);
  }

  @Test
  void apiPortIsExposed() {
    assertThat(api.port()).isPositive();
  }
}
