package org.tempalias.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetAddressTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "me@example.org",
      "Me.Myself@Example.ORG",
      "first.last+tag@sub.example.co.uk",
      "a@b.cd",
      "x@xn--bcher-kva.example",
      "user_name-1@my-host.example",
      "!#$%&'*+-/=?^_`{|}~@example.org",
      "\"john doe\"@example.org",
      "\"a@b\"@example.org",
      "\"quote\\\"inside\"@example.org",
      "\"back\\\\slash\"@example.org",
      "1234@123.example",
      "x@1a.2b"
  })
  void acceptsRfc5321Mailboxes(String address) {
    TargetAddress parsed = TargetAddress.parse(address);
    assertThat(parsed.toString()).isEqualTo(address);
    assertThat(TargetAddress.isValid(address)).isTrue();
  }

  @Test
  void splitsAtTheAtOutsideQuotes() {
    TargetAddress parsed = TargetAddress.parse("\"a@b\"@example.org");
    assertThat(parsed.localPart()).isEqualTo("\"a@b\"");
    assertThat(parsed.domain()).isEqualTo("example.org");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "",
      "plainaddress",
      "@example.org",
      "me@",
      "me@localhost",
      "me@example",
      "me@example.org.",
      "me@.example.org",
      "me@example..org",
      "me@-example.org",
      "me@example-.org",
      "me@exa_mple.org",
      "me@exam ple.org",
      "me@[192.0.2.1]",
      "me@[IPv6:2001:db8::1]",
      "me@192.0.2.1",
      "me@example.123",
      "me@@example.org",
      "a@b@example.org",
      ".me@example.org",
      "me.@example.org",
      "m..e@example.org",
      "m e@example.org",
      " me@example.org",
      "me@example.org ",
      "me(comment)@example.org",
      "me,you@example.org",
      "me;x@example.org",
      "me[x]@example.org",
      "me\\x@example.org",
      "\"me@example.org",
      "\"\"@example.org",
      "\"a\"b@example.org",
      "\"a\"\"@example.org",
      "\"a\\\"@example.org",
      "\"<x>\"@example.org",
      "me<x@example.org",
      "me>x@example.org",
      "<me@example.org>",
      "me@example.org>",
      "müller@example.org",
      "me@bücher.example",
      "me@straße.de"
  })
  void refusesWhatIsNotAMailbox(String address) {
    assertThatThrownBy(() -> TargetAddress.parse(address))
        .isInstanceOf(TargetAddress.InvalidTarget.class)
        .hasMessageNotContaining("null");
    assertThat(TargetAddress.isValid(address)).isFalse();
  }

  @Test
  void refusesNull() {
    assertThat(TargetAddress.isValid(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "me@example.org\r\nRCPT TO:<victim@example.net>",
      "me\n@example.org",
      "me@example.org\r",
      "me\u0000@example.org",
      "me\t@example.org",
      "\"a\rb\"@example.org",
      "\"a\\\nb\"@example.org",
      "me\u007f@example.org"
  })
  void refusesControlCharactersAndLineBreaksAnywhere(String address) {
    assertThatThrownBy(() -> TargetAddress.parse(address))
        .isInstanceOf(TargetAddress.InvalidTarget.class)
        .hasMessageContaining("control character");
  }

  @Test
  void localPartAtMost64Octets() {
    String local64 = "a".repeat(64);
    assertThat(TargetAddress.isValid(local64 + "@example.org")).isTrue();
    assertThatThrownBy(() -> TargetAddress.parse(local64 + "a@example.org"))
        .hasMessageContaining("64");
    assertThat(TargetAddress.isValid("\"" + "a".repeat(62) + "\"@example.org")).isTrue();
    assertThat(TargetAddress.isValid("\"" + "a".repeat(63) + "\"@example.org")).isFalse();
  }

  @Test
  void labelAtMost63Octets() {
    assertThat(TargetAddress.isValid("me@" + "a".repeat(63) + ".org")).isTrue();
    assertThat(TargetAddress.isValid("me@" + "a".repeat(64) + ".org")).isFalse();
  }

  @Test
  void wholeAddressAtMost254Octets() {
    // 1 + 1 + (63 + 1) * 3 + 60 = 254
    String domain = ("a".repeat(63) + ".").repeat(3) + "b".repeat(60);
    assertThat(("x@" + domain).length()).isEqualTo(254);
    assertThat(TargetAddress.isValid("x@" + domain)).isTrue();
    assertThatThrownBy(() -> TargetAddress.parse("xy@" + domain)).hasMessageContaining("254");
  }

  @Test
  void explainsWhatIsWrong() {
    assertThatThrownBy(() -> TargetAddress.parse("me@localhost")).hasMessageContaining("dot");
    assertThatThrownBy(() -> TargetAddress.parse("me@[192.0.2.1]")).hasMessageContaining("literal");
    assertThatThrownBy(() -> TargetAddress.parse("me@bücher.example")).hasMessageContaining("xn--");
    assertThatThrownBy(() -> TargetAddress.parse("m e@example.org")).hasMessageContaining("spaces");
  }

  @Test
  void equalityByValue() {
    assertThat(TargetAddress.parse("me@example.org")).isEqualTo(TargetAddress.parse("me@example.org"));
    assertThat(TargetAddress.parse("me@example.org").hashCode())
        .isEqualTo(TargetAddress.parse("me@example.org").hashCode());
  }
}
