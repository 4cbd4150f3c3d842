package org.tempalias.relay;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.micrometer.backends.BackendRegistries;
import org.tempalias.contract.SmtpReply;

/**
 * Transaction outcomes and relayed bytes, on the Vert.x Micrometer registry when Vert.x was
 * started with Micrometer metrics; nothing at all otherwise.
 */
final class RelayMetrics {
  private final Counter delivered;
  private final Counter deferred;
  private final Counter rejected;
  private final Counter dropped;
  private final Counter bytes;

  private RelayMetrics(MeterRegistry registry) {
    delivered = outcome(registry, "delivered");
    deferred = outcome(registry, "deferred");
    rejected = outcome(registry, "rejected");
    dropped = outcome(registry, "dropped");
    bytes = registry == null ? null
        : Counter.builder("tempalias.relay.bytes").description("message bytes written to the smarthost").register(registry);
  }

  static RelayMetrics create() {
    return new RelayMetrics(BackendRegistries.getDefaultNow());
  }

  /** Records one finished transaction; {@code upstream} null when it was dropped before a final reply. */
  void transaction(SmtpReply upstream, long size) {
    if (bytes == null) {
      return;
    }
    Counter counter = upstream == null ? dropped
        : upstream.isPositive() ? delivered : upstream.isTransient() ? deferred : rejected;
    counter.increment();
    bytes.increment(size);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return registry == null ? null
        : Counter.builder("tempalias.relay.transactions").tag("outcome", outcome)
            .description("relay transactions by outcome").register(registry);
  }
}
