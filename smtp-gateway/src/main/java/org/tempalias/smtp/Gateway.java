package org.tempalias.smtp;

import io.vertx.core.Vertx;

/** What every session and transaction of one gateway instance shares. */
record Gateway(Vertx vertx, SmtpConfig config, StoreClient store, GatewayMetrics metrics, NodeLimits limits) {}
