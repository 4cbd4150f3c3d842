package org.tempalias.smtp.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.parsetools.RecordParser;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The DATA judge behind a RecordParser split at LF, fed in every possible split; and its bulk
 * form ({@link DataReader#lines}) fed as LineInput feeds it, which must agree on every input.
 */
class DataReaderTest {

  /** What one run produced: the forwarded bytes, whether the end was seen, the verdict. */
  record Run(String forwarded, boolean ended, DataReader reader, String afterEnd) {}

  private static Run lineRun(byte[] input, int[] cuts, long maxBytes) {
    DataReader reader = new DataReader(maxBytes, 1000, 30);
    ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
    ByteArrayOutputStream after = new ByteArrayOutputStream();
    boolean[] ended = {false};
    RecordParser parser = RecordParser.newDelimited("\n");
    parser.handler(record -> {
      if (ended[0]) {
        after.writeBytes(record.getBytes());
        after.write('\n');
      } else if (reader.line(record)) {
        ended[0] = true;
      } else {
        forwarded.writeBytes(record.getBytes());
        forwarded.write('\n');
      }
    });
    int from = 0;
    for (int cut : cuts) {
      parser.handle(Buffer.buffer().appendBytes(input, from, cut - from));
      from = cut;
    }
    parser.handle(Buffer.buffer().appendBytes(input, from, input.length - from));
    return new Run(forwarded.toString(StandardCharsets.ISO_8859_1), ended[0], reader,
        after.toString(StandardCharsets.ISO_8859_1));
  }

  /**
   * As LineInput's data mode: each read's complete lines in runs (stopping at {@code softRun}
   * bytes), a line spanning reads one by one through {@link DataReader#line}.
   */
  private static Run bulkRun(byte[] input, int[] cuts, long maxBytes, int softRun) {
    DataReader reader = new DataReader(maxBytes, 1000, 30);
    ByteArrayOutputStream forwarded = new ByteArrayOutputStream();
    ByteArrayOutputStream after = new ByteArrayOutputStream();
    ByteArrayOutputStream carry = new ByteArrayOutputStream();
    int from = 0;
    for (int i = 0; i <= cuts.length; i++) {
      int to = i < cuts.length ? cuts[i] : input.length;
      Buffer read = Buffer.buffer().appendBytes(input, from, to - from);
      from = to;
      int start = 0;
      if (reader.ended()) {
        after.writeBytes(read.getBytes());
        continue;
      }
      if (carry.size() > 0) {
        int lf = indexOf(read, '\n');
        if (lf < 0) {
          carry.writeBytes(read.getBytes());
          continue;
        }
        carry.writeBytes(read.getBytes(0, lf));
        Buffer line = Buffer.buffer(carry.toByteArray());
        carry.reset();
        start = lf + 1;
        if (reader.line(line)) {
          after.writeBytes(read.getBytes(start, read.length()));
          continue;
        }
        forwarded.writeBytes(line.getBytes());
        forwarded.write('\n');
      }
      while (start < read.length() && !reader.ended()) {
        int end = reader.lines(read, start, read.length(), start + softRun);
        if (end == start) {
          break;
        }
        forwarded.writeBytes(read.getBytes(start, reader.ended() ? end - 3 : end));
        start = end;
      }
      (reader.ended() ? after : carry).writeBytes(read.getBytes(start, read.length()));
    }
    String afterEnd = after.toString(StandardCharsets.ISO_8859_1);
    // As the RecordParser: what follows the last LF is no line yet.
    return new Run(forwarded.toString(StandardCharsets.ISO_8859_1), reader.ended(), reader,
        afterEnd.substring(0, afterEnd.lastIndexOf('\n') + 1));
  }

  private static int indexOf(Buffer buffer, char c) {
    for (int i = 0; i < buffer.length(); i++) {
      if (buffer.getByte(i) == c) {
        return i;
      }
    }
    return -1;
  }

  /** Runs the input both ways, asserts they agree, and gives the line-by-line run. */
  private static Run run(byte[] input, int[] cuts, long maxBytes) {
    Run lines = lineRun(input, cuts, maxBytes);
    for (int softRun : new int[] {1, 7, 1 << 20}) {
      Run bulk = bulkRun(input, cuts, maxBytes, softRun);
      String what = "bulk (runs of " + softRun + ") of " + java.util.Arrays.toString(cuts) + " "
          + new String(input, StandardCharsets.ISO_8859_1).replace("\r", "\\r").replace("\n", "\\n");
      assertThat(bulk.forwarded()).as(what).isEqualTo(lines.forwarded());
      assertThat(bulk.ended()).as(what).isEqualTo(lines.ended());
      assertThat(bulk.reader().failure()).as(what).isEqualTo(lines.reader().failure());
      assertThat(bulk.reader().bytes()).as(what).isEqualTo(lines.reader().bytes());
      assertThat(bulk.reader().receivedHeaders()).as(what).isEqualTo(lines.reader().receivedHeaders());
      if (lines.ended()) {
        assertThat(bulk.afterEnd()).as(what).isEqualTo(lines.afterEnd());
      }
    }
    return lines;
  }

  private static Run run(String input) {
    return run(input.getBytes(StandardCharsets.ISO_8859_1), new int[0], 1_000_000);
  }

  @Test
  void forwardsDotStuffedBytesAsReceivedAndStopsAtTheTerminator() {
    Run r = run("Subject: x\r\n\r\n..leading dot\r\n.\r\nMAIL FROM:<next@x>\r\n");
    assertThat(r.ended()).isTrue();
    assertThat(r.forwarded()).isEqualTo("Subject: x\r\n\r\n..leading dot\r\n");
    assertThat(r.afterEnd()).isEqualTo("MAIL FROM:<next@x>\r\n");
    assertThat(r.reader().failure()).isNull();
    assertThat(r.reader().bytes()).isEqualTo(r.forwarded().length());
  }

  @Test
  void emptyMessage() {
    Run r = run(".\r\n");
    assertThat(r.ended()).isTrue();
    assertThat(r.forwarded()).isEmpty();
  }

  @Test
  void terminatorSplitAtEveryByte() {
    byte[] input = "a\r\nb.\r\n..\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);
    for (int i = 1; i < input.length; i++) {
      for (int j = i; j < input.length; j++) {
        Run r = run(input, new int[] {i, j}, 1_000_000);
        assertThat(r.ended()).as("cut at %d,%d", i, j).isTrue();
        assertThat(r.forwarded()).isEqualTo("a\r\nb.\r\n..\r\n");
      }
    }
  }

  @Test
  void smugglingFormsAreNeverTheEnd() {
    for (String attack : new String[] {"a\r\n\n.\n\r\nMAIL", "a\n.\nMAIL", "a\n.\r\nMAIL", "a\r\n.\nMAIL",
        "a\r.\r\nMAIL", "a\r\n.\r\r\nMAIL", "a\r.\rMAIL", "a\n.\r\r\nMAIL"}) {
      Run r = run(attack + " FROM:<x@y>\r\nRCPT TO:<z@w>\r\nDATA\r\n");
      assertThat(r.ended()).as(attack).isFalse();
      Run done = run(attack + "\r\n.\r\n");
      assertThat(done.ended()).as(attack).isTrue();
      assertThat(done.reader().failure()).as(attack).isEqualTo(Replies.BARE_CR_LF);
    }
  }

  @Test
  void bareCrOrLfInsideDataRefused() {
    assertThat(run("a\nb\r\n.\r\n").reader().failure()).isEqualTo(Replies.BARE_CR_LF);
    assertThat(run("a\rb\r\n.\r\n").reader().failure()).isEqualTo(Replies.BARE_CR_LF);
    assertThat(run("a\r\nb\r\n.\r\n").reader().failure()).isNull();
  }

  @Test
  void sizeLimitCountsWireBytes() {
    byte[] ten = "123456789\r\n".getBytes(StandardCharsets.US_ASCII);
    ByteArrayOutputStream in = new ByteArrayOutputStream();
    for (int i = 0; i < 10; i++) {
      in.writeBytes(ten);
    }
    in.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
    assertThat(run(in.toByteArray(), new int[0], 110).reader().failure()).isNull();
    assertThat(run(in.toByteArray(), new int[0], 109).reader().failure()).isEqualTo(Replies.SIZE_EXCEEDED);
  }

  @Test
  void receivedHeadersCountedInTheHeaderOnly() {
    StringBuilder ok = new StringBuilder();
    for (int i = 0; i < 30; i++) {
      ok.append(i % 2 == 0 ? "Received: from x\r\n" : "RECEIVED:by y\r\n").append("\tcontinued\r\n");
    }
    assertThat(run(ok + "\r\nReceived: in body\r\n.\r\n").reader().failure()).isNull();
    assertThat(run(ok + "received: one more\r\n\r\n.\r\n").reader().failure()).isEqualTo(Replies.MAIL_LOOP);
    assertThat(run(ok + "\r\n.\r\n").reader().receivedHeaders()).isEqualTo(30);
  }

  @Test
  void longLinesRefused() {
    String line998 = "x".repeat(998) + "\r\n";
    assertThat(run(line998 + ".\r\n").reader().failure()).isNull();
    assertThat(run("x" + line998 + ".\r\n").reader().failure()).isEqualTo(Replies.DATA_LINE_TOO_LONG);
  }

  @Test
  void eightBitBytesPassUntouched() {
    byte[] body = new byte[256 * 3 + 5];
    int n = 0;
    for (int b = 0; b < 256; b++) {
      if (b != '\r' && b != '\n') {
        body[n++] = (byte) b;
      }
    }
    byte[] input = new byte[n + 2 + 3];
    System.arraycopy(body, 0, input, 0, n);
    input[n] = '\r';
    input[n + 1] = '\n';
    input[n + 2] = '.';
    input[n + 3] = '\r';
    input[n + 4] = '\n';
    Run r = run(input, new int[] {7, 100, n + 1, n + 3}, 1_000_000);
    assertThat(r.ended()).isTrue();
    assertThat(r.forwarded().getBytes(StandardCharsets.ISO_8859_1)).containsExactly(java.util.Arrays.copyOf(input, n + 2));
  }

  @Test
  void droppedLineKeepsTrackOfLineStarts() {
    DataReader reader = new DataReader(1_000_000, 1000, 30);
    reader.lineDropped(70_000, false);
    assertThat(reader.failure()).isEqualTo(Replies.DATA_LINE_TOO_LONG);
    assertThat(reader.line(Buffer.buffer(".\r"))).as("after a bare-LF end, '.' is no terminator").isFalse();
    reader.lineDropped(70_000, true);
    assertThat(reader.line(Buffer.buffer(".\r"))).isTrue();
    assertThat(reader.bytes()).isEqualTo(140_003);
    DataReader small = new DataReader(100_000, 1000, 30);
    small.lineDropped(100_001, true);
    assertThat(small.failure()).isEqualTo(Replies.SIZE_EXCEEDED);
  }

  @Test
  void bulkAgreesWithLineByLineOnRandomInput() {
    String[] parts = {"a", "b", "\r", "\n", ".", "..", "\r\n", "Received: x\r\n", "\r\n.\r\n", ".\r\n",
        "\n.\n", "x".repeat(500), "\u00e9"};
    java.util.Random random = new java.util.Random(5321);
    for (int round = 0; round < 3000; round++) {
      StringBuilder text = new StringBuilder();
      int n = 1 + random.nextInt(40);
      for (int i = 0; i < n; i++) {
        text.append(parts[random.nextInt(parts.length)]);
      }
      byte[] input = text.toString().getBytes(StandardCharsets.ISO_8859_1);
      int[] cuts = random.ints(random.nextInt(4), 0, input.length + 1).sorted().toArray();
      run(input, cuts, 200 + random.nextInt(3000));
    }
  }

  @Test
  void lineBreakSearchFindsEveryCrAndLf() {
    java.util.Random random = new java.util.Random(1);
    for (int round = 0; round < 2000; round++) {
      byte[] bytes = new byte[random.nextInt(40)];
      random.nextBytes(bytes);
      int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int expected = -1;
      for (int i = from; i < bytes.length; i++) {
        if (bytes[i] == '\r' || bytes[i] == '\n') {
          expected = i;
          break;
        }
      }
      assertThat(Bytes.indexOfLineBreak(bytes, from, bytes.length)).isEqualTo(expected);
      // Through a buffer whose bytes start inside a larger array (a nonzero arrayOffset).
      byte[] padded = new byte[bytes.length + 11];
      java.util.Arrays.fill(padded, (byte) '\n');
      System.arraycopy(bytes, 0, padded, 5, bytes.length);
      Buffer inside = io.vertx.core.internal.buffer.BufferInternal.buffer(
          io.netty.buffer.Unpooled.wrappedBuffer(padded).slice(5, bytes.length));
      assertThat(Bytes.view(inside)).isNotNull();
      assertThat(Bytes.view(inside).arrayOffset()).isEqualTo(5);
      assertThat(Bytes.indexOfLineBreak(Bytes.view(inside), inside, from, bytes.length)).isEqualTo(expected);
    }
  }
}
