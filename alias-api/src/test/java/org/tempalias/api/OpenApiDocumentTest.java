package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.api.TestSupport.await;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.impl.Utils;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code openapi.yaml} is a valid OpenAPI 3 document (vertx-openapi validates it against the
 * specification's schema and resolves every reference), and it describes every operation the
 * router serves.
 */
class OpenApiDocumentTest {
  private static Vertx vertx;
  private static OpenAPIContract contract;

  /** Every (path, method) the API answers other than with 405; update with the router. */
  private static final Map<String, List<HttpMethod>> SERVED = Map.of(
      "/aliases", List.of(HttpMethod.POST, HttpMethod.OPTIONS),
      "/aliases/{aid}", List.of(HttpMethod.GET, HttpMethod.PATCH, HttpMethod.DELETE, HttpMethod.OPTIONS),
      "/aliases/{aid}/token", List.of(HttpMethod.POST),
      "/api/v1/aliases", List.of(HttpMethod.POST, HttpMethod.GET),
      "/api/alias/random/new", List.of(HttpMethod.POST),
      "/api/v1/token", List.of(HttpMethod.DELETE),
      "/confirm/{token}", List.of(HttpMethod.GET, HttpMethod.POST),
      "/health", List.of(HttpMethod.GET),
      "/metrics", List.of(HttpMethod.GET),
      "/openapi.yaml", List.of(HttpMethod.GET));

  @BeforeAll
  static void load() {
    vertx = Vertx.vertx();
    JsonObject document = await(Utils.readYamlOrJson(vertx, "src/main/resources/org/tempalias/api/openapi.yaml"));
    // "url: /" (relative to where the document is served) is valid OpenAPI; the validator only
    // resolves absolute server URLs.
    document.put("servers", new JsonArray().add(new JsonObject().put("url", "http://localhost:8080/")));
    dropMediaTypesTheValidatorCannotCheck(document);
    contract = await(OpenAPIContract.from(vertx, document));
  }

  private static final java.util.Set<String> CHECKABLE = java.util.Set.of("application/json",
      "application/json; charset=utf-8", "text/plain", "text/plain; charset=utf-8", "application/octet-stream");

  /**
   * vertx-openapi builds a validator for every body it finds and knows only a few media types
   * (not HTML, YAML, forms or merge patches): for this check the others become opaque octets.
   */
  private static void dropMediaTypesTheValidatorCannotCheck(Object node) {
    if (node instanceof JsonObject object) {
      if (object.getValue("content") instanceof JsonObject content) {
        for (String type : List.copyOf(content.fieldNames())) {
          if (!CHECKABLE.contains(type)) {
            Object schema = content.remove(type);
            if (!content.containsKey("application/octet-stream")) {
              content.put("application/octet-stream", schema);
            }
          }
        }
      }
      object.forEach(entry -> dropMediaTypesTheValidatorCannotCheck(entry.getValue()));
    } else if (node instanceof JsonArray array) {
      array.forEach(OpenApiDocumentTest::dropMediaTypesTheValidatorCannotCheck);
    }
  }

  @AfterAll
  static void close() {
    await(vertx.close());
  }

  @Test
  void everyServedOperationIsDescribed() {
    SERVED.forEach((path, methods) -> {
      for (HttpMethod method : methods) {
        String concrete = path.replace("{aid}", "abcdefghij").replace("{token}", "t".repeat(32));
        assertThat(contract.findOperation(concrete, method)).as(method + " " + path).isNotNull();
      }
    });
  }

  @Test
  void everyOperationHasAnId() {
    assertThat(contract.operations()).allSatisfy(op -> assertThat(op.getOperationId()).isNotBlank());
  }
}
