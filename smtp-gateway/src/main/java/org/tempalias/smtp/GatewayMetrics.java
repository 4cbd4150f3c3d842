package org.tempalias.smtp;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters of the gateway. Without a metrics backend (metrics off) every call is a no-op.
 */
final class GatewayMetrics {
  private final MeterRegistry registry;
  /** Shared by every gateway instance in the JVM: a registry keeps only the first gauge of a name. */
  private static final AtomicInteger OPEN = new AtomicInteger();

  GatewayMetrics() {
    this.registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      registry.gauge("tempalias.smtp.connections.open", OPEN);
    }
  }

  /** @param outcome accepted, refused_total or refused_ip */
  void connection(String outcome) {
    count("tempalias.smtp.connections", "outcome", outcome);
  }

  void opened() {
    OPEN.incrementAndGet();
  }

  void closed() {
    OPEN.decrementAndGet();
  }

  void transaction() {
    count("tempalias.smtp.transactions");
  }

  /** @param reason accepted, relay_denied, unknown, busy, store_unavailable, relay_refused, limit, syntax */
  void recipient(String reason) {
    count("tempalias.smtp.recipients", "outcome", reason.equals("accepted") ? "accepted" : "refused", "reason", reason);
  }

  void bytes(long n) {
    if (registry != null) {
      registry.counter("tempalias.smtp.bytes").increment(n);
    }
  }

  /** @param outcome delivered, refused, deferred, aborted */
  void data(String outcome, int code) {
    count("tempalias.smtp.data", "outcome", outcome, "code", Integer.toString(code));
  }

  private void count(String name, String... tags) {
    if (registry != null) {
      registry.counter(name, tags).increment();
    }
  }
}
