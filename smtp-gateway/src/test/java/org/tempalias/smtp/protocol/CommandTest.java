package org.tempalias.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CommandTest {
  private static Command decode(String line) {
    return Command.decode(Buffer.buffer(line.getBytes(StandardCharsets.UTF_8)), 512);
  }

  @Test
  void parsesVerbAndArgument() {
    assertThat(Command.parse("ehlo  client.example ")).isEqualTo(new Command(Command.Verb.EHLO, "client.example", null));
    assertThat(Command.parse("MAIL FROM:<a@b>")).isEqualTo(new Command(Command.Verb.MAIL, "FROM:<a@b>", null));
    assertThat(Command.parse("QuIt")).isEqualTo(new Command(Command.Verb.QUIT, "", null));
    assertThat(Command.parse("EXPN list").verb()).isEqualTo(Command.Verb.NOT_IMPLEMENTED);
    assertThat(Command.parse("NOT_IMPLEMENTED").verb()).isEqualTo(Command.Verb.UNKNOWN);
    assertThat(Command.parse("INVALID").verb()).isEqualTo(Command.Verb.UNKNOWN);
    assertThat(Command.parse("").verb()).isEqualTo(Command.Verb.UNKNOWN);
    assertThat(Command.parse("GET / HTTP/1.1").verb()).isEqualTo(Command.Verb.UNKNOWN);
    assertThat(Command.parse("EHLO client.example extra").firstWord()).isEqualTo("client.example");
  }

  @Test
  void decodesOnlyCrLfTerminatedUtf8WithoutControls() {
    assertThat(decode("NOOP\r")).isEqualTo(new Command(Command.Verb.NOOP, "", null));
    assertThat(decode("MAIL FROM:<jörg@bücher.example> SMTPUTF8\r").argument()).contains("jörg");
    assertThat(decode("NOOP").error()).isEqualTo(Replies.BARE_LF_COMMAND);
    assertThat(decode("").error()).isEqualTo(Replies.BARE_LF_COMMAND);
    assertThat(decode("NOOP\u0000x\r").error()).isEqualTo(Replies.SYNTAX);
    assertThat(decode("NO\rOP\r").error()).isEqualTo(Replies.SYNTAX);
    assertThat(decode("x".repeat(511) + "\r").error()).isEqualTo(Replies.LINE_TOO_LONG);
    assertThat(decode("x".repeat(510) + "\r").verb()).isEqualTo(Command.Verb.UNKNOWN);
    Buffer notUtf8 = Buffer.buffer(new byte[] {'N', 'O', 'O', 'P', ' ', (byte) 0xc3, '(', '\r'});
    assertThat(Command.decode(notUtf8, 512).error()).isEqualTo(Replies.SYNTAX);
  }
}
