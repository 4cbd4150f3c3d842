package org.tempalias.deploy;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running node: a Vert.x instance (local or clustered), the verticles of its roles and, when
 * it runs the store without an external Redis, the embedded Redis.
 */
public final class Service {
  private static final Logger LOG = LoggerFactory.getLogger(Service.class);

  private final Vertx vertx;
  private final EmbeddedRedis redis;
  private final List<String> deployments;
  private final Settings settings;

  private Service(Vertx vertx, EmbeddedRedis redis, List<String> deployments, Settings settings) {
    this.vertx = vertx;
    this.redis = redis;
    this.deployments = deployments;
    this.settings = settings;
  }

  /**
   * Starts a node. Call it from a plain thread (main or a test), not from an event loop: starting
   * the embedded Redis blocks for a moment.
   */
  public static Future<Service> start(Settings settings) {
    EmbeddedRedis redis = settings.wantsEmbeddedRedis() ? EmbeddedRedis.start(settings.dataDir()) : null;
    JsonObject config = settings.service().copy();
    if (redis != null) {
      Settings.put(config, "store.redisUrl", redis.url());
    }
    SecretFiles.provide(config, settings.dataDir(), settings.roles());
    fixFreePorts(config);
    return buildVertx(settings.cluster())
        .compose(vertx -> deployRoles(vertx, config, settings)
            .map(ids -> new Service(vertx, redis, ids, withConfig(settings, config)))
            .recover(failure -> vertx.close().transform(ignored -> Future.<Service>failedFuture(failure))))
        .onSuccess(Service::logStarted)
        .onFailure(failure -> {
          if (redis != null) {
            redis.close();
          }
        });
  }

  public Vertx vertx() {
    return vertx;
  }

  public int httpPort() {
    return settings.service().getJsonObject("http").getInteger("port");
  }

  public int smtpPort() {
    return settings.service().getJsonObject("smtp").getInteger("port");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Undeploys the roles in reverse order (the SMTP gateway first, so that its transactions can
   * still reach the relay and the store while they finish), closes Vert.x (leaving the cluster),
   * then stops the embedded Redis, which flushes its append-only file.
   */
  public Future<Void> stop() {
    Future<Void> chain = Future.succeededFuture();
    for (int i = deployments.size() - 1; i >= 0; i--) {
      String id = deployments.get(i);
      chain = chain.compose(v -> vertx.undeploy(id).recover(failure -> {
        LOG.warn("undeploy failed: {}", failure.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain
        .compose(v -> vertx.close())
        .andThen(v -> {
          if (redis != null) {
            redis.close();
          }
          LOG.info("tempalias stopped");
        });
  }

  private static Future<Vertx> buildVertx(ClusterSettings cluster) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true));
    VertxOptions options = new VertxOptions().setMetricsOptions(metrics);
    if (cluster.enabled() && cluster.host() != null && !cluster.host().isBlank()) {
      // The event bus's own TCP server must listen where the other members can reach it: the
      // same address Hazelcast announces.
      options.setEventBusOptions(new EventBusOptions().setHost(cluster.host()).setClusterPublicHost(cluster.host()));
    }
    VertxBuilder builder = Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory());
    if (!cluster.enabled()) {
      return Future.succeededFuture(builder.build());
    }
    return builder.withClusterManager(Cluster.manager(cluster)).buildClustered();
  }

  private static Future<List<String>> deployRoles(Vertx vertx, JsonObject config, Settings settings) {
    List<String> ids = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Role role : settings.roles()) {
      int instances = settings.instances().get(role);
      DeploymentOptions options = new DeploymentOptions().setConfig(config).setInstances(instances);
      chain = chain.compose(v -> vertx.deployVerticle(role.verticle(), options)
          .recover(failure -> Future.failedFuture(new ConfigException(
              "cannot start role " + role.key() + ": " + describe(failure), failure)))
          .map(id -> {
            ids.add(id);
            LOG.info("role {} deployed ({} instance{})", role.key(), instances, instances == 1 ? "" : "s");
            return null;
          }));
    }
    return chain.map(v -> ids);
  }

  /**
   * Several instances of one server share its port; with port 0 each would bind a different random
   * port, so the launcher picks the free port once for all of them.
   */
  private static void fixFreePorts(JsonObject config) {
    for (String section : List.of("http", "smtp")) {
      JsonObject server = config.getJsonObject(section);
      if (server != null && server.getInteger("port", -1) == 0) {
        server.put("port", EmbeddedRedis.freePort());
      }
    }
  }

  private static Settings withConfig(Settings settings, JsonObject config) {
    return new Settings(config, settings.roles(), settings.instances(), settings.dataDir(), settings.cluster());
  }

  private static String describe(Throwable failure) {
    String message = failure.getMessage();
    return message == null ? failure.getClass().getSimpleName() : message;
  }

  private void logStarted() {
    StringBuilder line = new StringBuilder("tempalias started: roles ");
    line.append(settings.roles().stream().map(Role::key).toList());
    if (settings.roles().contains(Role.API)) {
      JsonObject http = settings.service().getJsonObject("http");
      line.append(", HTTP on ").append(http.getString("host")).append(':').append(http.getInteger("port"));
    }
    if (settings.roles().contains(Role.SMTP)) {
      JsonObject smtp = settings.service().getJsonObject("smtp");
      line.append(", SMTP on ").append(smtp.getString("host")).append(':').append(smtp.getInteger("port"));
    }
    if (settings.roles().contains(Role.RELAY)) {
      line.append(", smarthost ").append(settings.service().getJsonObject("relay").getString("smarthost"));
    }
    if (redis != null) {
      line.append(", data in ").append(settings.dataDir().toAbsolutePath().normalize());
    } else if (settings.roles().contains(Role.STORE)) {
      line.append(", Redis at ").append(redactedRedisUrl());
    }
    line.append(settings.cluster().enabled() ? ", clustered as " + settings.cluster().name() : ", local event bus");
    LOG.info(line.toString());
    JsonObject smtp = settings.service().getJsonObject("smtp", new JsonObject());
    if (settings.roles().contains(Role.SMTP) && smtp.getString("postmaster", "").isBlank()) {
      // RFC 5321 §4.5.1: postmaster@ each of our domains must reach someone.
      LOG.warn("no postmaster address: mail to postmaster@ our domains is refused; set TEMPALIAS_POSTMASTER"
          + " (smtp.postmaster) to the operator's address");
    }
  }

  private String redactedRedisUrl() {
    String url = settings.service().getJsonObject("store").getString("redisUrl", "");
    return url.replaceAll("//[^@/]*@", "//***@");
  }
}
