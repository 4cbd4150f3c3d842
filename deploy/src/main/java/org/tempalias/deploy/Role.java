package org.tempalias.deploy;

import io.vertx.core.Deployable;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;
import org.tempalias.api.ApiVerticle;
import org.tempalias.relay.RelayVerticle;
import org.tempalias.smtp.SmtpGatewayVerticle;
import org.tempalias.store.StoreVerticle;

/**
 * The services a node can run. Declaration order is deployment order: the store and the relay
 * come up before the doors that call them, and shutdown goes the other way round, so the SMTP
 * gateway can finish its transactions while the relay and store are still there.
 */
public enum Role {
  STORE("store", StoreVerticle::new, false),
  RELAY("relay", RelayVerticle::new, true),
  API("api", ApiVerticle::new, true),
  SMTP("smtp", SmtpGatewayVerticle::new, true);

  private final String key;
  private final Supplier<Deployable> verticle;
  private final boolean scalesWithCores;

  Role(String key, Supplier<Deployable> verticle, boolean scalesWithCores) {
    this.key = key;
    this.verticle = verticle;
    this.scalesWithCores = scalesWithCores;
  }

  public String key() {
    return key;
  }

  public Supplier<Deployable> verticle() {
    return verticle;
  }

  /** Instances when the operator says nothing: one per core for stateless doors, one store. */
  public int defaultInstances() {
    return scalesWithCores ? Runtime.getRuntime().availableProcessors() : 1;
  }

  public static Role parse(String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values())
        .filter(r -> r.key.equals(wanted))
        .findFirst()
        .orElseThrow(() -> new ConfigException(
            "unknown role '" + text.trim() + "' (known roles: api, store, smtp, relay)"));
  }
}
