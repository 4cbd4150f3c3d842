package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.tempalias.smtp.GatewayHarness.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.tempalias.testsupport.LineClient;

/** With a Micrometer backend the gateway counts its decisions (without one, see the other tests). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MetricsTest {

  @Test
  void countsConnectionsTransactionsAndRecipientRefusals() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry))
        .build();
    try {
      int port = GatewayHarness.deploy(vertx, new JsonObject()).actualPort();
      try (LineClient c = new LineClient(port)) {
        c.expect("220 ");
        c.cmd("EHLO client.example").expect("250 ");
        c.cmd("MAIL FROM:<a@b.example>").expect("250 ");
        c.cmd("RCPT TO:<victim@other.example>").expect("550 5.7.1");
        c.cmd("RCPT TO:<nope@tempalias.test>").expect("550 5.1.1");
      }
      assertThat(registry.get("tempalias.smtp.connections").tag("outcome", "accepted").counter().count()).isEqualTo(1);
      assertThat(registry.get("tempalias.smtp.transactions").counter().count()).isEqualTo(1);
      assertThat(registry.get("tempalias.smtp.recipients").tag("reason", "relay_denied").counter().count()).isEqualTo(1);
      assertThat(registry.get("tempalias.smtp.recipients").tag("reason", "unknown").counter().count()).isEqualTo(1);
    } finally {
      await(vertx.close());
    }
  }
}
