package org.tempalias.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathParserTest {

  private static MailPath to(String arg) throws Exception {
    return PathParser.parse(arg, "TO", false).path();
  }

  @Test
  void plainPathAndCaseInsensitiveKeyword() throws Exception {
    MailPath p = to("to:<Abc0123456@Tempalias.Test>");
    assertThat(p.localPart()).isEqualTo("Abc0123456");
    assertThat(p.domain()).isEqualTo("Tempalias.Test");
    assertThat(p.domainLowerCase()).isEqualTo("tempalias.test");
    assertThat(p.quoted() || p.sourceRoute() || p.addressLiteral() || p.hasRoutingCharacters() || p.nonAscii()).isFalse();
  }

  @Test
  void nullSenderOnlyForMail() throws Exception {
    assertThat(PathParser.parse("FROM:<>", "FROM", true).path().isNull()).isTrue();
    assertThatThrownBy(() -> to("TO:<>")).isInstanceOf(PathParser.SyntaxException.class);
  }

  @Test
  void spaceAfterColonTolerated() throws Exception {
    assertThat(PathParser.parse("FROM: <a@b.example>", "FROM", true).path().raw()).isEqualTo("a@b.example");
  }

  @Test
  void quotedLocalPartsUnescapedAndFlagged() throws Exception {
    MailPath p = to("TO:<\"john doe\\\"x>y\"@tempalias.test>");
    assertThat(p.quoted()).isTrue();
    assertThat(p.localPart()).isEqualTo("john doe\"x>y");
    assertThat(p.domain()).isEqualTo("tempalias.test");
    assertThat(to("TO:<\"a@b\"@tempalias.test>").localPart()).isEqualTo("a@b");
  }

  @Test
  void relayFormsParseAndAreFlagged() throws Exception {
    assertThat(to("TO:<victim%other.example@tempalias.test>").hasRoutingCharacters()).isTrue();
    assertThat(to("TO:<other.example!victim@tempalias.test>").hasRoutingCharacters()).isTrue();
    MailPath doubleAt = to("TO:<victim@other.example@tempalias.test>");
    assertThat(doubleAt.hasRoutingCharacters()).isTrue();
    assertThat(doubleAt.domain()).isEqualTo("tempalias.test");
    MailPath routed = to("TO:<@tempalias.test,@relay.example:victim@other.example>");
    assertThat(routed.sourceRoute()).isTrue();
    assertThat(routed.domain()).isEqualTo("other.example");
    assertThat(to("TO:<abc@[192.0.2.1]>").addressLiteral()).isTrue();
    assertThat(to("TO:<abc@[IPv6:2001:db8::1]>").addressLiteral()).isTrue();
  }

  @Test
  void smtputf8Mailboxes() throws Exception {
    MailPath p = PathParser.parse("FROM:<jörg@bücher.example> SMTPUTF8", "FROM", true).path();
    assertThat(p.nonAscii()).isTrue();
    assertThat(p.localPart()).isEqualTo("jörg");
    assertThat(p.domain()).isEqualTo("bücher.example");
    assertThat(to("TO:<用户@例子.广告>").nonAscii()).isTrue();
  }

  @Test
  void bareLocalPartHasNoDomain() throws Exception {
    MailPath p = to("TO:<Postmaster>");
    assertThat(p.domain()).isNull();
    assertThat(p.localPart()).isEqualTo("Postmaster");
  }

  @Test
  void syntaxErrors() {
    for (String bad : new String[] {"TO:a@b.example", "TO:<a@b.example", "TO<a@b.example>", "FROM:<a@b.example>",
        "TO:<a@b.example>x", "TO:<a b@c.example>", "TO:<.a@b.example>", "TO:<a..b@c.example>", "TO:<a@>",
        "TO:<a@b..example>", "TO:<a@-b.example>", "TO:<a@b_c.example>", "TO:<\"unterminated@b.example>",
        "TO:<\"q\"x@b.example>", "TO:<@relay.example>", "TO:<a@[1.2.3.4>", "TO:<a(b)@c.example>", "TO:<a@b.example> =x",
        "TO:<a@b.example> A=", "TO:<a@b.example> SIZE=1 SIZE=2"}) {
      assertThatThrownBy(() -> PathParser.parse(bad, "TO", false)).as(bad).isInstanceOf(PathParser.SyntaxException.class);
    }
  }

  @Test
  void parameters() throws Exception {
    Map<String, String> params =
        PathParser.parse("FROM:<a@b.example> size=1000  BODY=8BITMIME smtputf8", "FROM", true).parameters();
    assertThat(params).containsEntry("SIZE", "1000").containsEntry("BODY", "8BITMIME").containsEntry("SMTPUTF8", null);
    assertThat(params.keySet()).containsExactly("SIZE", "BODY", "SMTPUTF8");
  }

  @Test
  void mailParameters() {
    MailParameters p = MailParameters.of(Map.of("SIZE", "123", "BODY", "7bit"));
    assertThat(p.size()).isEqualTo(123);
    assertThat(p.body()).isEqualTo("7BIT");
    assertThat(p.smtputf8()).isFalse();
    assertThat(MailParameters.of(Map.of("SIZE", "99999999999999999999")).size()).isEqualTo(Long.MAX_VALUE);
    for (Map<String, String> bad : java.util.List.<Map<String, String>>of(Map.of("SIZE", "12a"), Map.of("SIZE", "-1"),
        Map.of("BODY", "BINARYMIME"), Map.of("SMTPUTF8", "yes"), Map.of("AUTH", "<>"), Map.of("RET", "FULL"))) {
      assertThatThrownBy(() -> MailParameters.of(bad)).as(bad.toString()).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
