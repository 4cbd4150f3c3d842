package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiConfigTest {

  @Test
  void defaults() {
    ApiConfig c = ApiConfig.from(new JsonObject());
    assertThat(c.host()).isEqualTo("127.0.0.1");
    assertThat(c.port()).isEqualTo(8080);
    assertThat(c.maxDays()).isEqualTo(60);
    assertThat(c.maxUsage()).isEqualTo(100);
    assertThat(c.corsOrigins()).containsExactly("*");
    assertThat(c.trustedProxies().isEmpty()).isTrue();
    assertThat(c.storeTimeoutMillis()).isEqualTo(3000);
    assertThat(c.domain()).isEqualTo("localhost");
  }

  @Test
  void readsEveryKey() {
    ApiConfig c = ApiConfig.from(new JsonObject("""
        {"domains": ["alias.example.org", "other.example.org"],
         "http": {"host": "0.0.0.0", "port": 0, "maxDays": 30, "maxUsage": "20",
                  "corsOrigins": ["https://a.example"], "trustedProxies": "10.0.0.0/8, 192.0.2.1",
                  "storeTimeoutMillis": 500}}
        """));
    assertThat(c.host()).isEqualTo("0.0.0.0");
    assertThat(c.port()).isZero();
    assertThat(c.maxDays()).isEqualTo(30);
    assertThat(c.maxUsage()).isEqualTo(20);
    assertThat(c.corsOrigins()).containsExactly("https://a.example");
    assertThat(c.trustedProxies().clientAddress("10.2.3.4", List.of("203.0.113.1"))).isEqualTo("203.0.113.1");
    assertThat(c.storeTimeoutMillis()).isEqualTo(500);
    assertThat(c.domain()).isEqualTo("alias.example.org");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": {\"port\": \"eighty\"}}")))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": {\"port\": 70000}}")))
        .hasMessageContaining("http.port");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": {\"maxDays\": 0}}")))
        .hasMessageContaining("http.maxDays");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": {\"trustedProxies\": [\"proxy\"]}}")))
        .hasMessageContaining("http.trustedProxies");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": {\"corsOrigins\": []}}")))
        .hasMessageContaining("http.corsOrigins");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"domains\": []}")))
        .hasMessageContaining("domains");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"http\": 5}")))
        .hasMessageContaining("http");
  }

  @Test
  void tokenDefaultsStayWithinTheCapsAndKeepALimit() {
    ApiConfig defaults = ApiConfig.from(new JsonObject());
    assertThat(defaults.tokenDays()).isEqualTo(30);
    assertThat(defaults.tokenMaxUsage()).isZero();
    ApiConfig shortCaps = ApiConfig.from(new JsonObject("{\"http\": {\"maxDays\": 7}}"));
    assertThat(shortCaps.tokenDays()).as("the default follows a lower cap").isEqualTo(7);
    ApiConfig set = ApiConfig.from(new JsonObject("{\"api\": {\"tokenDefaults\": {\"days\": 0, \"maxUsage\": 5}}}"));
    assertThat(set.tokenDays()).isZero();
    assertThat(set.tokenMaxUsage()).isEqualTo(5);
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"api\": {\"tokenDefaults\": {\"days\": 61}}}")))
        .hasMessageContaining("api.tokenDefaults.days");
    assertThatThrownBy(() -> ApiConfig.from(new JsonObject("{\"api\": {\"tokenDefaults\": {\"days\": 0}}}")))
        .hasMessageContaining("needs days or maxUsage");
  }
}
