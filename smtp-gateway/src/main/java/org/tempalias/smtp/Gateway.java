package org.tempalias.smtp;

import io.vertx.core.Vertx;
import org.tempalias.smtp.srs.Srs;

/**
 * What every session and transaction of one gateway instance shares.
 *
 * @param srs the sender rewriting of this node, null when {@code srs.enabled} is false
 */
record Gateway(Vertx vertx, SmtpConfig config, StoreClient store, GatewayMetrics metrics, NodeLimits limits, Srs srs) {

  /** Whether mail for {@code domain} is ours: an alias domain, or the SRS domain (bounces only). */
  boolean isOurDomain(String domain) {
    return config.isOurDomain(domain) || (srs != null && srs.domain().equalsIgnoreCase(domain));
  }
}
