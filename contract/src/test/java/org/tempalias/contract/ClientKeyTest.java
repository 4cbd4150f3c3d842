package org.tempalias.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientKeyTest {
  @Test
  void ipv4AsItIsIpv6AsItsSlash64() {
    assertThat(ClientKey.of("192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(ClientKey.of("2001:db8:1:2:3:4:5:6")).isEqualTo("2001:db8:1:2::/64");
    assertThat(ClientKey.of("2001:db8:1:2::ffff")).isEqualTo(ClientKey.of("2001:db8:1:2:aaaa::1"));
    assertThat(ClientKey.of("2001:db8:1:3::1")).isNotEqualTo(ClientKey.of("2001:db8:1:2::1"));
    assertThat(ClientKey.of("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
    assertThat(ClientKey.of(null)).isNull();
  }
}
