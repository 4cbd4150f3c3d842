package org.tempalias.smtp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Micrometer meters of the gateway. Without a metrics backend (metrics off) every call is a no-op.
 * Each counter is looked up in the registry once, on its first use, and kept: a registry lookup
 * (tag sorting, meter id hashing, a map under lock) on every message costs more than the message's
 * own bookkeeping.
 */
final class GatewayMetrics {
  private final MeterRegistry registry;
  /** Shared by every gateway instance in the JVM: a registry keeps only the first gauge of a name. */
  private static final AtomicInteger OPEN = new AtomicInteger();

  private final Map<String, Counter> connections = new ConcurrentHashMap<>();
  private final Map<String, Counter> recipients = new ConcurrentHashMap<>();
  private final Map<String, Counter> data = new ConcurrentHashMap<>();
  private volatile Counter transactions;
  private volatile Counter bytes;

  GatewayMetrics() {
    this.registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      registry.gauge("tempalias.smtp.connections.open", OPEN);
    }
  }

  /** @param outcome accepted, refused_total or refused_ip */
  void connection(String outcome) {
    if (registry != null) {
      connections.computeIfAbsent(outcome, o -> registry.counter("tempalias.smtp.connections", "outcome", o)).increment();
    }
  }

  void opened() {
    OPEN.incrementAndGet();
  }

  void closed() {
    OPEN.decrementAndGet();
  }

  void transaction() {
    if (registry != null) {
      Counter c = transactions;
      if (c == null) {
        c = registry.counter("tempalias.smtp.transactions");
        transactions = c;
      }
      c.increment();
    }
  }

  /** @param reason accepted, relay_denied, unknown, busy, unconfirmed, sender_locked, store_unavailable, relay_refused, limit, syntax, ... */
  void recipient(String reason) {
    if (registry != null) {
      recipients.computeIfAbsent(reason, r -> registry.counter("tempalias.smtp.recipients",
          "outcome", r.equals("accepted") ? "accepted" : "refused", "reason", r)).increment();
    }
  }

  void bytes(long n) {
    if (registry != null) {
      Counter c = bytes;
      if (c == null) {
        c = registry.counter("tempalias.smtp.bytes");
        bytes = c;
      }
      c.increment(n);
    }
  }

  /** @param outcome delivered, refused, deferred, aborted */
  void data(String outcome, int code) {
    if (registry != null) {
      data.computeIfAbsent(outcome + ' ' + code, k -> registry.counter("tempalias.smtp.data",
          "outcome", outcome, "code", Integer.toString(code))).increment();
    }
  }
}
