package org.tempalias.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hand-written host-name check against the regular expression it replaced, and normalize's cases. */
class SenderLockTest {
  private static final Pattern LDH_NAME =
      Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  @Test
  void hostNameCheckAgreesWithTheGrammarOnRandomStrings() {
    Random random = new Random(1035);
    String alphabet = "ab0-.Z_é";
    for (int round = 0; round < 20_000; round++) {
      StringBuilder s = new StringBuilder();
      int n = random.nextInt(round % 100 == 0 ? 300 : 12);
      for (int i = 0; i < n; i++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String d = s.toString();
      assertThat(SenderLock.isHostName(d)).as(d).isEqualTo(LDH_NAME.matcher(d).matches());
    }
    String label63 = "a".repeat(63);
    String longest = String.join(".", label63, label63, label63, "a".repeat(61)); // 253
    assertThat(SenderLock.isHostName(longest)).isTrue();
    assertThat(SenderLock.isHostName(longest + "a")).isFalse();
    assertThat(SenderLock.isHostName("a".repeat(64) + ".com")).isFalse();
  }

  @Test
  void normalizes() {
    assertThat(SenderLock.normalize("Shop.Example.")).isEqualTo("shop.example");
    assertThat(SenderLock.normalize(" mail.shop.example ")).isEqualTo("mail.shop.example");
    assertThat(SenderLock.normalize("bücher.example")).isEqualTo("xn--bcher-kva.example");
    assertThat(SenderLock.normalize("BÜCHER.example")).isEqualTo("xn--bcher-kva.example");
    assertThat(SenderLock.normalize("localhost")).isNull();
    assertThat(SenderLock.normalize("[192.0.2.1]")).isNull();
    assertThat(SenderLock.normalize("-a.example")).isNull();
    assertThat(SenderLock.normalize("a_b.example")).isNull();
    assertThat(SenderLock.normalize("a..example")).isNull();
    assertThat(SenderLock.normalize(null)).isNull();
  }
}
