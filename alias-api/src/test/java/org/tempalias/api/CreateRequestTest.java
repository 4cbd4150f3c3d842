package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.tempalias.contract.SenderLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CreateRequestTest {

  private static CreateRequest parse(String json) {
    return CreateRequest.parse(Buffer.buffer(json), 60, 100);
  }

  private static void assertInvalid(String json, String fragment) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOfSatisfying(ApiError.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.code()).isEqualTo("invalid-data");
        })
        .hasMessageContaining(fragment);
  }

  @Test
  void theChromeExtensionsBody() {
    CreateRequest r = parse("{\"target\":\"me@example.org\",\"max-usage\":10,\"days\":7}");
    assertThat(r.target().toString()).isEqualTo("me@example.org");
    assertThat(r.days()).isEqualTo(7);
    assertThat(r.maxUsage()).isEqualTo(10);
  }

  @Test
  void numericStringsAndAbsentSides() {
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":\"7\"}").days()).isEqualTo(7);
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":\"7\"}").maxUsage()).isZero();
    assertThat(parse("{\"target\":\"me@example.org\",\"max-usage\":\"010\",\"days\":\"\"}").maxUsage()).isEqualTo(10);
    assertThat(parse("{\"target\":\"me@example.org\",\"max-usage\":3,\"days\":null}").days()).isZero();
    assertThat(parse("{\"target\":\"me@example.org\",\"max-usage\":3,\"days\":0}").days()).isZero();
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":7.0}").days()).isEqualTo(7);
  }

  @Test
  void capsAreInclusive() {
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":60,\"max-usage\":100}").days()).isEqualTo(60);
    assertInvalid("{\"target\":\"me@example.org\",\"days\":61}", "at most 60");
    assertInvalid("{\"target\":\"me@example.org\",\"max-usage\":\"101\"}", "at most 100");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "-1", "\"-1\"", "1.5", "\"1.5\"", "\"7 \"", "\" 7\"", "\"+7\"", "\"1e1\"", "\"seven\"", "true",
      "[7]", "{}", "1e300", "99999999999999999999999", "\"99999999999999999999\"", "-0.5"
  })
  void badNumbers(String days) {
    assertThatThrownBy(() -> parse("{\"target\":\"me@example.org\",\"days\":" + days + "}"))
        .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo("invalid-data"))
        .hasMessageContaining("days");
  }

  @Test
  void needsALimit() {
    assertInvalid("{\"target\":\"me@example.org\"}", "limit");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":0,\"max-usage\":\"0\"}", "limit");
  }

  @Test
  void badBodies() {
    assertInvalid("", "empty");
    assertInvalid("{\"target\":", "not valid JSON");
    assertInvalid("[1,2]", "JSON object");
    assertInvalid("\"me@example.org\"", "JSON object");
    assertInvalid("{\"days\":7}", "target is missing");
    assertInvalid("{\"target\":42,\"days\":7}", "target must be a string");
    assertInvalid("{\"target\":\"me@localhost\",\"days\":7}", "dot");
    assertInvalid("{\"target\":\"me@example.org\\r\\nRSET\",\"days\":7}", "control character");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "application/json", "Application/JSON", "application/json; charset=utf-8", "application/json;charset=UTF-8",
      "application/json; charset=\"utf-8\"", "application/json ; charset=utf8"
  })
  void jsonContentTypes(String header) {
    assertThat(CreateRequest.isJsonContentType(header)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "", "text/plain", "application/x-www-form-urlencoded", "application/jsonx", "application/json; charset=iso-8859-1",
      "application/json; boundary=x", "multipart/form-data; boundary=x", "application/json-patch+json"
  })
  void otherContentTypes(String header) {
    assertThat(CreateRequest.isJsonContentType(header)).isFalse();
    assertThat(CreateRequest.isJsonContentType(null)).isFalse();
  }

  @Test
  void senderLocksAreNormalizedDomains() {
    CreateRequest r = parse("{\"target\":\"me@example.org\",\"days\":7,"
        + "\"senders\":[\"Shop.Example.\",\"shop.example\",\"bücher.example\"]}");
    assertThat(r.lock()).isEqualTo(new SenderLock(List.of("shop.example", "xn--bcher-kva.example"), false));
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":7,\"lock\":\"first-sender\"}").lock())
        .isEqualTo(new SenderLock(List.of(), true));
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":7,\"senders\":null,\"lock\":null}").lock())
        .isEqualTo(SenderLock.NONE);
    assertThat(parse("{\"target\":\"me@example.org\",\"days\":7}").lock().locked()).isFalse();

    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":\"shop.example\"}", "list of domains");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"*.shop.example\"]}", "not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"@shop.example\"]}", "not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"localhost\"]}", "not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"[192.0.2.1]\"]}", "not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[\"a.example\\r\\nQUIT\"]}", "not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[7]}", "7 is not a domain name");
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"lock\":\"first\"}", "first-sender");
    StringBuilder eleven = new StringBuilder();
    for (int i = 0; i < 11; i++) {
      eleven.append(i == 0 ? "" : ",").append("\"d").append(i).append(".example\"");
    }
    assertInvalid("{\"target\":\"me@example.org\",\"days\":7,\"senders\":[" + eleven + "]}", "at most 10");
  }
}
