package org.tempalias.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SmtpReplyTest {

  @Test
  void rendersOneLineWithEnhancedCode() {
    assertThat(SmtpReply.of(250, "2.0.0", "Ok").toWire()).isEqualTo("250 2.0.0 Ok\r\n");
  }

  @Test
  void rendersMultiLineWithContinuations() {
    assertThat(SmtpReply.of(250, null, "mx.example\nPIPELINING\nSIZE 100").toWire())
        .isEqualTo("250-mx.example\r\n250-PIPELINING\r\n250 SIZE 100\r\n");
  }

  @Test
  void controlCharactersNeverReachTheWire() {
    assertThat(SmtpReply.of(550, "5.1.1", "no\r such\u0000user").toWire())
        .isEqualTo("550 5.1.1 no suchuser\r\n");
  }

  @Test
  void survivesTheEventBus() {
    SmtpReply reply = SmtpReply.of(451, "4.4.1", "upstream gone");
    assertThat(SmtpReply.fromJson(reply.toJson())).isEqualTo(reply);
    assertThat(reply.isTransient()).isTrue();
    assertThat(reply.isPositive()).isFalse();
  }

  @Test
  void refusesCodesOutsideSmtp() {
    assertThatThrownBy(() -> SmtpReply.of(999, null, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void storeErrorMapsUnknownFailuresToUnavailable() {
    assertThat(StoreError.of(StoreError.RATE_LIMITED.exception("slow down"))).isEqualTo(StoreError.RATE_LIMITED);
    assertThat(StoreError.of(new RuntimeException("boom"))).isEqualTo(StoreError.UNAVAILABLE);
  }

  @Test
  void aliasIdShape() {
    assertThat(AliasId.isWellFormed("abc123xyz0")).isTrue();
    assertThat(AliasId.isWellFormed("ABC123XYZ0")).isFalse();
    assertThat(AliasId.isWellFormed("abc")).isFalse();
    assertThat(AliasId.isWellFormed(null)).isFalse();
  }
}
