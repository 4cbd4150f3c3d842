package org.tempalias.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tempalias.contract.SmtpReply;

class ReplyParserTest {
  private final ReplyParser parser = new ReplyParser();

  private List<SmtpReply> feed(String wire) throws Exception {
    return parser.feed(Buffer.buffer(wire.getBytes(StandardCharsets.UTF_8)));
  }

  private List<SmtpReply> feedByteByByte(String wire) throws Exception {
    List<SmtpReply> replies = new ArrayList<>();
    for (byte b : wire.getBytes(StandardCharsets.UTF_8)) {
      replies.addAll(parser.feed(Buffer.buffer(new byte[] {b})));
    }
    return replies;
  }

  @Test
  void singleLineWithEnhancedCode() throws Exception {
    assertThat(feed("250 2.1.0 Ok\r\n")).containsExactly(SmtpReply.of(250, "2.1.0", "Ok"));
  }

  @Test
  void singleLineWithoutEnhancedCode() throws Exception {
    assertThat(feed("220 mx.example.org ESMTP Postfix\r\n"))
        .containsExactly(SmtpReply.of(220, null, "mx.example.org ESMTP Postfix"));
  }

  @Test
  void multiLineReplyJoinsLinesAndStripsTheRepeatedEnhancedCode() throws Exception {
    assertThat(feed("550-5.7.1 Message rejected\r\n550-5.7.1 see https://example.org/policy\r\n550 5.7.1 bye\r\n"))
        .containsExactly(SmtpReply.of(550, "5.7.1", "Message rejected\nsee https://example.org/policy\nbye"));
  }

  @Test
  void ehloReplyKeepsItsKeywords() throws Exception {
    SmtpReply reply = feed("250-mx.example.org\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN LOGIN\r\n250 SMTPUTF8\r\n").get(0);
    assertThat(reply.enhanced()).isNull();
    Capabilities capabilities = Capabilities.fromEhlo(reply);
    assertThat(capabilities.has("SIZE")).isTrue();
    assertThat(capabilities.has("8BITMIME")).isTrue();
    assertThat(capabilities.has("SMTPUTF8")).isTrue();
    assertThat(capabilities.has("STARTTLS")).isFalse();
    assertThat(capabilities.authMechanisms()).containsExactlyInAnyOrder("PLAIN", "LOGIN");
  }

  @Test
  void aReplySplitByteByByteIsAssembledOnce() throws Exception {
    List<SmtpReply> replies = feedByteByByte("250-2.0.0 first\r\n250 2.0.0 second\r\n");
    assertThat(replies).containsExactly(SmtpReply.of(250, "2.0.0", "first\nsecond"));
    assertThat(parser.hasPartial()).isFalse();
  }

  @Test
  void crAndLfInSeparateBuffers() throws Exception {
    assertThat(feed("354 go ahead\r")).isEmpty();
    assertThat(parser.hasPartial()).isTrue();
    assertThat(feed("\n")).containsExactly(SmtpReply.of(354, null, "go ahead"));
  }

  @Test
  void severalRepliesInOneBuffer() throws Exception {
    assertThat(feed("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data\r\n250 2.0.0 qu"))
        .containsExactly(SmtpReply.of(250, "2.1.0", "Ok"), SmtpReply.of(250, "2.1.5", "Ok"), SmtpReply.of(354, null, "End data"));
    assertThat(feed("eued\r\n")).containsExactly(SmtpReply.of(250, "2.0.0", "queued"));
  }

  @Test
  void bareCodeAndBareLfAreAccepted() throws Exception {
    assertThat(feed("250\n")).containsExactly(SmtpReply.of(250, null, ""));
  }

  @Test
  void enhancedCodeOfAnotherClassIsText() throws Exception {
    assertThat(feed("250 5.1.1 odd\r\n")).containsExactly(SmtpReply.of(250, null, "5.1.1 odd"));
  }

  @Test
  void enhancedCodeAloneOnALine() throws Exception {
    assertThat(feed("221 2.0.0\r\n")).containsExactly(SmtpReply.of(221, "2.0.0", ""));
  }

  @Test
  void eightBitTextIsDecodedAsUtf8() throws Exception {
    assertThat(feed("250 2.0.0 Gr\u00fc\u00dfe\r\n")).containsExactly(SmtpReply.of(250, "2.0.0", "Gr\u00fc\u00dfe"));
  }

  @Test
  void garbageIsRefused() {
    assertThatThrownBy(() -> feed("HTTP/1.1 400 Bad Request\r\n")).isInstanceOf(ReplyParser.MalformedReplyException.class);
  }

  @Test
  void codeOutOfRangeIsRefused() {
    assertThatThrownBy(() -> feed("999 what\r\n")).isInstanceOf(ReplyParser.MalformedReplyException.class);
    assertThatThrownBy(() -> new ReplyParser().feed(Buffer.buffer("100 x\r\n"))).isInstanceOf(ReplyParser.MalformedReplyException.class);
  }

  @Test
  void codeChangingInsideAMultiLineReplyIsRefused() {
    assertThatThrownBy(() -> feed("250-one\r\n550 two\r\n")).isInstanceOf(ReplyParser.MalformedReplyException.class);
  }

  @Test
  void badSeparatorIsRefused() {
    assertThatThrownBy(() -> feed("250_ok\r\n")).isInstanceOf(ReplyParser.MalformedReplyException.class);
  }

  @Test
  void overlongLineIsRefused() {
    assertThatThrownBy(() -> feed("250 " + "x".repeat(ReplyParser.MAX_LINE) + "\r\n"))
        .isInstanceOf(ReplyParser.MalformedReplyException.class);
  }

  @Test
  void endlessMultiLineReplyIsRefused() {
    assertThatThrownBy(() -> feed("250-x\r\n".repeat(ReplyParser.MAX_LINES + 1)))
        .isInstanceOf(ReplyParser.MalformedReplyException.class);
  }
}
