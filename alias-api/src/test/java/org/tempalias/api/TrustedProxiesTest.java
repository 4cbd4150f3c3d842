package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
  private final TrustedProxies proxies = TrustedProxies.parse(List.of("10.0.0.0/8", "192.0.2.7", "fd00::/8"));

  @Test
  void withoutTrustedProxiesTheSocketPeerIsTheClient() {
    assertThat(TrustedProxies.none().clientAddress("198.51.100.1", List.of("203.0.113.9")))
        .isEqualTo("198.51.100.1");
  }

  @Test
  void headerFromAnUntrustedPeerIsIgnored() {
    assertThat(proxies.clientAddress("198.51.100.1", List.of("203.0.113.9"))).isEqualTo("198.51.100.1");
  }

  @Test
  void trustedPeerVouchesForTheAddressToItsLeft() {
    assertThat(proxies.clientAddress("192.0.2.7", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
  }

  @Test
  void rightMostUntrustedAddressWins() {
    // The client forged "1.1.1.1"; our proxies appended the real hops.
    assertThat(proxies.clientAddress("10.1.2.3", List.of("1.1.1.1, 203.0.113.9, 10.9.9.9")))
        .isEqualTo("203.0.113.9");
    assertThat(proxies.clientAddress("10.1.2.3", List.of("1.1.1.1", "203.0.113.9,10.9.9.9")))
        .isEqualTo("203.0.113.9");
  }

  @Test
  void allHopsTrustedMeansTheLeftMost() {
    assertThat(proxies.clientAddress("10.1.2.3", List.of("10.5.5.5, 192.0.2.7"))).isEqualTo("10.5.5.5");
  }

  @Test
  void garbageStopsTheWalkAtTheLastAddressWeCouldVouchFor() {
    assertThat(proxies.clientAddress("10.1.2.3", List.of("203.0.113.9, unknown, 10.9.9.9")))
        .isEqualTo("10.9.9.9");
    assertThat(proxies.clientAddress("10.1.2.3", List.of("example.org"))).isEqualTo("10.1.2.3");
  }

  @Test
  void trustedPeerWithoutHeaderIsTheClient() {
    assertThat(proxies.clientAddress("10.1.2.3", List.of())).isEqualTo("10.1.2.3");
  }

  @Test
  void portsAndBracketsAreStripped() {
    assertThat(proxies.clientAddress("10.1.2.3", List.of("203.0.113.9:4711"))).isEqualTo("203.0.113.9");
    assertThat(proxies.clientAddress("10.1.2.3", List.of("[2001:db8::1]:4711"))).isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(proxies.clientAddress("10.1.2.3", List.of("2001:db8::1"))).isEqualTo("2001:db8:0:0:0:0:0:1");
  }

  @Test
  void ipv6BlocksMatch() {
    assertThat(proxies.clientAddress("fd12::1", List.of("2001:db8::5"))).isEqualTo("2001:db8:0:0:0:0:0:5");
    assertThat(proxies.clientAddress("fe80::1%eth0", List.of("2001:db8::5"))).isEqualTo("fe80:0:0:0:0:0:0:1");
  }

  @Test
  void cidrBoundaries() {
    TrustedProxies narrow = TrustedProxies.parse(List.of("192.0.2.0/25"));
    assertThat(narrow.clientAddress("192.0.2.127", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
    assertThat(narrow.clientAddress("192.0.2.128", List.of("203.0.113.9"))).isEqualTo("192.0.2.128");
    TrustedProxies all = TrustedProxies.parse(List.of("0.0.0.0/0"));
    assertThat(all.clientAddress("8.8.8.8", List.of("203.0.113.9"))).isEqualTo("203.0.113.9");
  }

  @Test
  void refusesNamesAndBadBlocks() {
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.example.org")))
        .hasMessageContaining("proxy.example.org");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("256.1.1.1"))).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TrustedProxies.parse(List.of("1.2.3"))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parsesOnlyLiterals() {
    assertThat(TrustedProxies.parseIp("localhost")).isNull();
    assertThat(TrustedProxies.parseIp("1.2.3")).isNull();
    assertThat(TrustedProxies.parseIp("::ffff:192.0.2.1").getHostAddress()).isEqualTo("192.0.2.1");
  }
}
