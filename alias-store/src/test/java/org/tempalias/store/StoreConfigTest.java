package org.tempalias.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.util.List;
import org.junit.jupiter.api.Test;

class StoreConfigTest {
  private static JsonObject store(JsonObject section) {
    return new JsonObject().put("store", section);
  }

  private static JsonObject url() {
    return new JsonObject().put("redisUrl", "redis://127.0.0.1:6390");
  }

  @Test
  void defaults() {
    StoreConfig c = StoreConfig.from(store(url()));
    assertThat(c.redisMode()).isEqualTo(StoreConfig.RedisMode.STANDALONE);
    assertThat(c.redisEndpoints()).containsExactly("redis://127.0.0.1:6390");
    assertThat(c.createLimitPerMinute()).isEqualTo(10);
    assertThat(c.claimLeaseSeconds()).isEqualTo(60);
    assertThat(c.claimLeaseMillis()).isEqualTo(60_000);
    assertThat(c.maxLifetimeDays()).isEqualTo(60);
    assertThat(c.maxUsage()).isEqualTo(100);
    assertThat(c.redisTimeoutMillis()).isEqualTo(2000);
    RedisOptions o = c.redisOptions();
    assertThat(o.getType()).isEqualTo(RedisClientType.STANDALONE);
    assertThat(o.getEndpoint()).isEqualTo("redis://127.0.0.1:6390");
    assertThat(o.getNetClientOptions().getConnectTimeout()).isEqualTo(2000);
  }

  @Test
  void sentinelAndClusterModes() {
    JsonArray nodes = new JsonArray().add("redis://10.0.0.1:26379").add("redis://10.0.0.2:26379");
    RedisOptions sentinel = StoreConfig.from(store(url().put("redisMode", "sentinel")
        .put("redisEndpoints", nodes).put("redisMasterName", "tempalias"))).redisOptions();
    assertThat(sentinel.getType()).isEqualTo(RedisClientType.SENTINEL);
    assertThat(sentinel.getEndpoints()).containsExactly("redis://10.0.0.1:26379", "redis://10.0.0.2:26379");
    assertThat(sentinel.getMasterName()).isEqualTo("tempalias");
    assertThat(sentinel.getRole()).isEqualTo(RedisRole.MASTER);

    RedisOptions cluster = StoreConfig.from(store(url().put("redisMode", "CLUSTER"))).redisOptions();
    assertThat(cluster.getType()).isEqualTo(RedisClientType.CLUSTER);
    assertThat(cluster.getEndpoints()).containsExactly("redis://127.0.0.1:6390");
    // One connection per node stays free for the client's hash-slot refresh (RedisGate).
    assertThat(StoreConfig.from(store(url().put("redisMode", "cluster"))).maxRedisCallsInFlight()).isEqualTo(15);
    assertThat(StoreConfig.from(store(url())).maxRedisCallsInFlight()).isEqualTo(Integer.MAX_VALUE);
    assertThatThrownBy(() -> StoreConfig.from(store(url().put("redisMode", "cluster").put("redisMaxPoolSize", 1))))
        .hasMessageContaining("store.redisMaxPoolSize");
  }

  @Test
  void numbersMayBeStrings() {
    StoreConfig c = StoreConfig.from(store(url().put("createLimitPerMinute", "0").put("claimLeaseSeconds", 1200)));
    assertThat(c.createLimitPerMinute()).isZero();
    assertThat(c.claimLeaseSeconds()).isEqualTo(1200);
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> StoreConfig.from(new JsonObject())).hasMessageContaining("store.redisUrl");
    assertThatThrownBy(() -> StoreConfig.from(store(new JsonObject().put("redisUrl", "http://x"))))
        .hasMessageContaining("store.redisUrl");
    for (var bad : List.of(
        List.of("redisMode", "replicated"),
        List.of("createLimitPerMinute", "-1"),
        List.of("claimLeaseSeconds", "0"),
        List.of("maxUsage", "lots"),
        List.of("redisTimeoutMillis", "1.5"))) {
      assertThatThrownBy(() -> StoreConfig.from(store(url().put(bad.get(0), bad.get(1)))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("store." + bad.get(0));
    }
    assertThatThrownBy(() -> StoreConfig.from(store(url().put("redisEndpoints", new JsonArray().add(3)))))
        .hasMessageContaining("store.redisEndpoints");
    assertThatThrownBy(() -> StoreConfig.from(new JsonObject().put("store", "redis://x")))
        .hasMessageContaining("store");
  }
}
