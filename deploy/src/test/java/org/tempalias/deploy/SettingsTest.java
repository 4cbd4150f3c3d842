package org.tempalias.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {
  @TempDir Path dir;

  @Test
  void defaultsRunEverythingLocallyWithAnEmbeddedRedis() {
    Settings s = Settings.load(new String[0], Map.of());
    assertThat(s.roles()).containsExactly(Role.STORE, Role.RELAY, Role.API, Role.SMTP);
    assertThat(s.service().getJsonObject("http").getInteger("port")).isEqualTo(8080);
    assertThat(s.service().getJsonObject("smtp").getInteger("port")).isEqualTo(2525);
    assertThat(s.service().getJsonArray("domains").getList()).containsExactly("localhost");
    assertThat(s.service().getJsonObject("relay").getString("smarthost")).isEqualTo("127.0.0.1:25");
    assertThat(s.service().getJsonObject("store").getInteger("createLimitPerMinute")).isEqualTo(10);
    assertThat(s.dataDir()).isEqualTo(Path.of("./data"));
    assertThat(s.wantsEmbeddedRedis()).isTrue();
    assertThat(s.cluster().enabled()).isFalse();
    assertThat(s.service().containsKey("roles")).as("launcher keys stay out of the verticle config").isFalse();
  }

  @Test
  void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws Exception {
    Path file = dir.resolve("tempalias.yaml");
    Files.writeString(file, """
        domains: [alias.example.org]
        http:
          port: 9000
        relay:
          smarthost: mail.example.org:587
        roles: api,store
        """);
    Settings s = Settings.load(
        new String[] {"--config", file.toString(), "--roles", "smtp,relay"},
        Map.of("TEMPALIAS_HTTP_PORT", "9100", "TEMPALIAS_REDIS_URL", "redis://10.0.0.5:6379",
            "TEMPALIAS_DOMAINS", "a.example, B.Example", "TEMPALIAS_CREATE_LIMIT_PER_MINUTE", "0"));
    assertThat(s.service().getJsonObject("http").getInteger("port")).isEqualTo(9100);
    assertThat(s.service().getJsonObject("relay").getString("smarthost")).isEqualTo("mail.example.org:587");
    assertThat(s.service().getJsonArray("domains").getList()).containsExactly("a.example", "b.example");
    assertThat(s.service().getJsonObject("store").getInteger("createLimitPerMinute")).isZero();
    assertThat(s.roles()).containsExactly(Role.RELAY, Role.SMTP);
    assertThat(s.wantsEmbeddedRedis()).isFalse();
  }

  @Test
  void sentinelAndClusterEndpointsReplaceTheEmbeddedRedis() {
    Settings s = Settings.load(new String[0], Map.of(
        "TEMPALIAS_REDIS_MODE", "sentinel",
        "TEMPALIAS_REDIS_ENDPOINTS", "redis://10.0.0.1:26379,redis://10.0.0.2:26379",
        "TEMPALIAS_REDIS_MASTER_NAME", "aliases"));
    assertThat(s.wantsEmbeddedRedis()).isFalse();
    assertThat(s.service().getJsonObject("store").getString("redisMode")).isEqualTo("sentinel");
    assertThat(s.service().getJsonObject("store").getString("redisUrl")).isEqualTo("redis://10.0.0.1:26379");
    assertThat(s.service().getJsonObject("store").getJsonArray("redisEndpoints")).hasSize(2);
    assertThat(s.service().getJsonObject("store").getString("redisMasterName")).isEqualTo("aliases");
  }

  @Test
  void readsJsonFiles() throws Exception {
    Path file = dir.resolve("tempalias.json");
    Files.writeString(file, "{\"smtp\": {\"port\": 2600}, \"instances\": {\"smtp\": 3}}");
    Settings s = Settings.load(new String[] {"--config=" + file}, Map.of());
    assertThat(s.service().getJsonObject("smtp").getInteger("port")).isEqualTo(2600);
    assertThat(s.instances()).containsEntry(Role.SMTP, 3).containsEntry(Role.STORE, 1);
  }

  @Test
  void instancesAndClusterFlags() {
    Settings s = Settings.load(
        new String[] {"--cluster", "--roles", "smtp,relay", "--instances", "relay=2,smtp=1",
            "--cluster-members", "10.0.0.1,10.0.0.2:5702", "--cluster-name", "mail"},
        Map.of());
    assertThat(s.instances()).containsOnly(Map.entry(Role.RELAY, 2), Map.entry(Role.SMTP, 1));
    assertThat(s.cluster().enabled()).isTrue();
    assertThat(s.cluster().name()).isEqualTo("mail");
    assertThat(s.cluster().members()).containsExactly("10.0.0.1", "10.0.0.2:5702");
  }

  @Test
  void badValuesGiveOneClearMessage() throws Exception {
    assertThatThrownBy(() -> Settings.load(new String[0], Map.of("TEMPALIAS_HTTP_PORT", "eighty")))
        .isInstanceOf(ConfigException.class).hasMessage("TEMPALIAS_HTTP_PORT must be a whole number, got 'eighty'");
    assertThatThrownBy(() -> Settings.load(new String[0], Map.of("TEMPALIAS_SMTP_PORT", "70000")))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("smtp.port must be a port number");
    assertThatThrownBy(() -> Settings.load(new String[] {"--roles", "api,mailer"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("unknown role 'mailer'");
    assertThatThrownBy(() -> Settings.load(new String[0], Map.of("TEMPALIAS_DOMAINS", "exa mple.org")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("'exa mple.org' is not a domain name");
    assertThatThrownBy(() -> Settings.load(new String[] {"--cluster=yes"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--cluster takes no value");
    assertThatThrownBy(() -> Settings.load(new String[] {"--roles"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("--roles needs a value");
    assertThatThrownBy(() -> Settings.load(new String[] {"--frobnicate"}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("unknown option '--frobnicate'");
    assertThatThrownBy(() -> Settings.load(new String[] {"--config", dir.resolve("missing.yaml").toString()}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageStartingWith("cannot read config file");
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(broken, "http: [port: 1\n");
    assertThatThrownBy(() -> Settings.load(new String[] {"--config", broken.toString()}, Map.of()))
        .isInstanceOf(ConfigException.class).hasMessageContaining("is not valid YAML");
  }
}
