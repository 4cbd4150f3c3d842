package org.tempalias.store;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code store} section of the service configuration. Every key has a default except
 * {@code redisUrl}; a bad value fails {@link #from(JsonObject)} with a message naming the key.
 *
 * @param redisUrl             standalone Redis, and the default endpoint of the other modes
 * @param redisMode            how to reach Redis
 * @param redisEndpoints       sentinels (sentinel mode) or seed nodes (cluster mode)
 * @param redisMasterName      the master name the sentinels watch (sentinel mode)
 * @param createLimitPerMinute creations per client IP per minute, 0 = no limit
 * @param claimLeaseSeconds    how long a claim holds a use without a renewal before it is released by itself
 * @param maxLifetimeDays      the longest lifetime an alias may ask for
 * @param maxUsage             the most uses an alias may ask for
 * @param redisTimeoutMillis   the bound on every Redis call
 * @param redisMaxPoolSize     connections per verticle instance
 * @param redisMaxPoolWaiting  requests that may wait for a pooled connection
 */
public record StoreConfig(
    String redisUrl,
    RedisMode redisMode,
    List<String> redisEndpoints,
    String redisMasterName,
    int createLimitPerMinute,
    int claimLeaseSeconds,
    int maxLifetimeDays,
    int maxUsage,
    long redisTimeoutMillis,
    int redisMaxPoolSize,
    int redisMaxPoolWaiting) {

  public enum RedisMode { STANDALONE, SENTINEL, CLUSTER }

  static final String SECTION = "store";

  public StoreConfig {
    redisEndpoints = List.copyOf(redisEndpoints);
  }

  public static StoreConfig from(JsonObject config) {
    Object raw = config == null ? null : config.getValue(SECTION);
    if (raw != null && !(raw instanceof JsonObject)) {
      throw new IllegalArgumentException("store: must be an object");
    }
    JsonObject s = raw == null ? new JsonObject() : (JsonObject) raw;

    String url = string(s, "redisUrl", null);
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("store.redisUrl is required (e.g. redis://127.0.0.1:6379)");
    }
    if (!url.startsWith("redis://") && !url.startsWith("rediss://") && !url.startsWith("unix://")) {
      throw new IllegalArgumentException("store.redisUrl must start with redis://, rediss:// or unix://: " + url);
    }
    String modeName = string(s, "redisMode", "standalone");
    RedisMode mode;
    try {
      mode = RedisMode.valueOf(modeName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "store.redisMode must be standalone, sentinel or cluster: " + modeName);
    }
    List<String> endpoints = endpoints(s, url);
    String master = string(s, "redisMasterName", "mymaster");
    int maxPoolSize = integer(s, "redisMaxPoolSize", 16, 1);
    if (mode == RedisMode.CLUSTER && maxPoolSize < 2) {
      // See maxRedisCallsInFlight: one connection per node must stay free for the slot refresh.
      throw new IllegalArgumentException("store.redisMaxPoolSize must be at least 2 in cluster mode: " + maxPoolSize);
    }
    if (mode == RedisMode.SENTINEL && master.isBlank()) {
      throw new IllegalArgumentException("store.redisMasterName must not be blank in sentinel mode");
    }
    return new StoreConfig(
        url,
        mode,
        endpoints,
        master,
        integer(s, "createLimitPerMinute", 10, 0),
        // Short: the gateway renews a live transaction's claims every third of it, so only a claim
        // whose gateway died waits this long, and that blocks its alias for no longer.
        integer(s, "claimLeaseSeconds", 60, 1),
        integer(s, "maxLifetimeDays", 60, 1),
        integer(s, "maxUsage", 100, 1),
        integer(s, "redisTimeoutMillis", 2000, 1),
        maxPoolSize,
        integer(s, "redisMaxPoolWaiting", 1024, 1));
  }

  /** The client options for this mode; every connect is bounded like every call. */
  public RedisOptions redisOptions() {
    RedisOptions options = new RedisOptions()
        .setMaxPoolSize(redisMaxPoolSize)
        .setMaxPoolWaiting(redisMaxPoolWaiting)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, redisTimeoutMillis))
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    switch (redisMode) {
      case STANDALONE -> options.setType(RedisClientType.STANDALONE).setConnectionString(redisUrl);
      // MASTER: every script writes, or must see the latest write. New connections go wherever the
      // sentinels say the master is (re-asked at most every topologyCacheTTL, 1 s); auto-failover
      // also moves connections in use on the sentinels' +switch-master (RedisSentinelTest).
      case SENTINEL -> options.setType(RedisClientType.SENTINEL)
          .setEndpoints(new ArrayList<>(redisEndpoints))
          .setMasterName(redisMasterName)
          .setRole(RedisRole.MASTER)
          .setAutoFailover(true);
      case CLUSTER -> options.setType(RedisClientType.CLUSTER)
          .setEndpoints(new ArrayList<>(redisEndpoints))
          .setUseReplicas(RedisReplicas.NEVER);
    }
    return options;
  }

  /**
   * Calls the verticle lets run at once ({@link RedisGate}). Cluster mode: one fewer than the
   * connections per node, so the hash-slot refresh of vertx-redis-client 5.0.x always finds a free
   * connection (it otherwise deadlocks the client for good under load). Other modes: no limit of
   * our own, the pool queues.
   */
  public int maxRedisCallsInFlight() {
    return redisMode == RedisMode.CLUSTER ? redisMaxPoolSize - 1 : Integer.MAX_VALUE;
  }

  /** The endpoints for a log line: any password replaced by ***. */
  public List<String> redactedEndpoints() {
    return redisEndpoints.stream().map(e -> e.replaceAll("//[^@/]*@", "//***@")).toList();
  }

  public long claimLeaseMillis() {
    return claimLeaseSeconds * 1000L;
  }

  public long maxLifetimeMillis() {
    return maxLifetimeDays * 86_400_000L;
  }

  private static List<String> endpoints(JsonObject s, String url) {
    Object raw = s.getValue("redisEndpoints");
    if (raw == null) {
      return List.of(url);
    }
    if (!(raw instanceof JsonArray array) || array.isEmpty()) {
      throw new IllegalArgumentException("store.redisEndpoints must be a non-empty list of redis:// URLs");
    }
    List<String> out = new ArrayList<>();
    for (Object o : array) {
      if (!(o instanceof String e) || !(e.startsWith("redis://") || e.startsWith("rediss://"))) {
        throw new IllegalArgumentException("store.redisEndpoints must hold redis:// URLs: " + o);
      }
      out.add(e);
    }
    return out;
  }

  private static String string(JsonObject s, String key, String dflt) {
    Object v = s.getValue(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String str)) {
      throw new IllegalArgumentException("store." + key + " must be a string: " + v);
    }
    return str;
  }

  private static int integer(JsonObject s, String key, int dflt, int min) {
    Object v = s.getValue(key);
    if (v == null) {
      return dflt;
    }
    long n;
    if (v instanceof Number num && num.doubleValue() == Math.rint(num.doubleValue())) {
      n = num.longValue();
    } else if (v instanceof String str && str.trim().matches("-?\\d{1,10}")) {
      n = Long.parseLong(str.trim());
    } else {
      throw new IllegalArgumentException("store." + key + " must be a whole number: " + v);
    }
    if (n < min || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("store." + key + " must be at least " + min + ": " + v);
    }
    return (int) n;
  }
}
