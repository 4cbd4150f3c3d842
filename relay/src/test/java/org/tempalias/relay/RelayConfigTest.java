package org.tempalias.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.tempalias.contract.RelayOpen;

class RelayConfigTest {
  @Test
  void defaults() {
    RelayConfig config = RelayConfig.from(new JsonObject());
    assertThat(config.host()).isEqualTo("127.0.0.1");
    assertThat(config.port()).isEqualTo(25);
    assertThat(config.startTls()).isEqualTo(RelayConfig.StartTls.OPPORTUNISTIC);
    assertThat(config.trustAll()).isFalse();
    assertThat(config.hasCredentials()).isFalse();
    assertThat(config.poolSize()).isEqualTo(10);
    assertThat(config.connectTimeoutSeconds()).isEqualTo(30);
    assertThat(config.greetingTimeoutSeconds()).isEqualTo(300);
    assertThat(config.mailTimeoutSeconds()).isEqualTo(300);
    assertThat(config.rcptTimeoutSeconds()).isEqualTo(300);
    assertThat(config.dataInitTimeoutSeconds()).isEqualTo(120);
    assertThat(config.dataBlockTimeoutSeconds()).isEqualTo(180);
    assertThat(config.endOfDataTimeoutSeconds()).isEqualTo(600);
    assertThat(config.idleTimeoutSeconds()).isEqualTo(330);
    assertThat(config.poolIdleSeconds()).isEqualTo(60);
    assertThat(config.ehloName()).isNotBlank();
  }

  @Test
  void ipv6SmarthostInBrackets() {
    RelayConfig config = RelayConfig.from(new JsonObject().put("relay", new JsonObject().put("smarthost", "[::1]:2525")));
    assertThat(config.host()).isEqualTo("::1");
    assertThat(config.port()).isEqualTo(2525);
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> RelayConfig.from(relay("poolSize", 0))).hasMessageContaining("relay.poolSize");
    assertThatThrownBy(() -> RelayConfig.from(relay("smarthost", "host:99999"))).hasMessageContaining("relay.smarthost");
    assertThatThrownBy(() -> RelayConfig.from(relay("trustAll", "maybe"))).hasMessageContaining("relay.trustAll");
    assertThatThrownBy(() -> RelayConfig.from(relay("username", "u"))).hasMessageContaining("relay.username");
    assertThatThrownBy(() -> RelayConfig.from(relay("endOfDataTimeoutSeconds", "ten"))).hasMessageContaining("relay.endOfDataTimeoutSeconds");
  }

  @Test
  void mailFromCarriesOnlyAdvertisedParameters() {
    Capabilities all = new Capabilities(java.util.Map.of("SIZE", "1000", "8BITMIME", "", "SMTPUTF8", ""));
    RelayOpen open = new RelayOpen("t", "a@b", 10, "8bitmime", true);
    assertThat(RelayTransaction.mailFromLine(open, all)).isEqualTo("MAIL FROM:<a@b> SIZE=10 BODY=8BITMIME SMTPUTF8");
    assertThat(RelayTransaction.mailFromLine(open, Capabilities.NONE)).isEqualTo("MAIL FROM:<a@b>");
    assertThat(RelayTransaction.mailFromLine(new RelayOpen("t", "", 0, "7BIT SMTPUTF8", false), all)).isEqualTo("MAIL FROM:<>");
  }

  private static JsonObject relay(String key, Object value) {
    return new JsonObject().put("relay", new JsonObject().put(key, value));
  }
}
