package org.tempalias.smtp;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A small SMTP sink standing in for the smarthost: it records every message (envelope and the
 * DATA bytes exactly as they came over the wire, still dot-stuffed, without the final ".CRLF")
 * and answers the final dot with {@link #finalReply}.
 */
final class RecordingSmarthost {
  record Received(String from, List<String> rcpts, byte[] data) {
    String dataString() {
      return new String(data, StandardCharsets.ISO_8859_1);
    }
  }

  final List<Received> messages = new CopyOnWriteArrayList<>();
  volatile String finalReply = "250 2.0.0 Ok: queued";
  volatile String rcptReply = "250 2.1.5 Ok";
  /** Count the data instead of keeping it (for messages larger than the test heap). */
  volatile boolean countOnly;
  final java.util.concurrent.atomic.AtomicLong countedBytes = new java.util.concurrent.atomic.AtomicLong();
  private final NetServer server;

  RecordingSmarthost(Vertx vertx) throws Exception {
    server = vertx.createNetServer().connectHandler(this::session);
    GatewayHarness.await(server.listen(0, "127.0.0.1"));
  }

  int port() {
    return server.actualPort();
  }

  void close() throws Exception {
    GatewayHarness.await(server.close());
  }

  private void session(NetSocket socket) {
    new Dialogue(socket).start();
  }

  private final class Dialogue {
    final NetSocket socket;
    Buffer pending = Buffer.buffer();
    boolean inData;
    String from;
    List<String> rcpts = new ArrayList<>();

    Dialogue(NetSocket socket) {
      this.socket = socket;
    }

    void start() {
      socket.handler(this::input);
      socket.write("220 smarthost.test ESMTP sink\r\n");
    }

    /** Progress through CR LF "." CR LF: 2 = at a line start. */
    int endState = 2;

    void input(Buffer b) {
      if (inData && countOnly) {
        b = count(b);
        if (b == null) {
          return;
        }
      }
      pending.appendBuffer(b);
      while (true) {
        if (inData && countOnly) {
          Buffer rest = count(pending);
          pending = Buffer.buffer();
          if (rest == null) {
            return;
          }
          pending = rest;
          continue;
        }
        if (inData) {
          int end = indexOf(pending, "\r\n.\r\n");
          int start = pending.length() >= 3 && pending.getString(0, 3).equals(".\r\n") ? 0 : -1;
          if (start == 0) {
            messages.add(new Received(from, List.copyOf(rcpts), new byte[0]));
            pending = pending.getBuffer(3, pending.length());
          } else if (end >= 0) {
            messages.add(new Received(from, List.copyOf(rcpts), pending.getBytes(0, end + 2)));
            pending = pending.getBuffer(end + 5, pending.length());
          } else {
            return;
          }
          inData = false;
          rcpts = new ArrayList<>();
          socket.write(finalReply + "\r\n");
          continue;
        }
        int eol = indexOf(pending, "\r\n");
        if (eol < 0) {
          return;
        }
        String line = pending.getString(0, eol, "UTF-8");
        pending = pending.getBuffer(eol + 2, pending.length());
        command(line);
      }
    }

    /** Counts data bytes; at the terminator records the message and returns the bytes after it. */
    Buffer count(Buffer b) {
      for (int i = 0; i < b.length(); i++) {
        byte c = b.getByte(i);
        endState = switch (endState) {
          case 0 -> c == '\r' ? 1 : 0;
          case 1 -> c == '\n' ? 2 : c == '\r' ? 1 : 0;
          case 2 -> c == '.' ? 3 : c == '\r' ? 1 : 0;
          case 3 -> c == '\r' ? 4 : 0;
          case 4 -> c == '\n' ? 5 : c == '\r' ? 1 : 0;
          default -> 0;
        };
        if (endState == 5) {
          countedBytes.addAndGet(i + 1 - 3);
          messages.add(new Received(from, List.copyOf(rcpts), new byte[0]));
          inData = false;
          endState = 2;
          rcpts = new ArrayList<>();
          socket.write(finalReply + "\r\n");
          return b.getBuffer(i + 1, b.length());
        }
      }
      countedBytes.addAndGet(b.length());
      return null;
    }

    void command(String line) {
      String upper = line.toUpperCase();
      if (upper.startsWith("EHLO")) {
        socket.write("250-smarthost.test\r\n250-PIPELINING\r\n250-SIZE 100000000\r\n250-8BITMIME\r\n"
            + "250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n");
      } else if (upper.startsWith("HELO")) {
        socket.write("250 smarthost.test\r\n");
      } else if (upper.startsWith("MAIL FROM:")) {
        from = between(line);
        rcpts = new ArrayList<>();
        socket.write("250 2.1.0 Ok\r\n");
      } else if (upper.startsWith("RCPT TO:")) {
        if (rcptReply.startsWith("2")) {
          rcpts.add(between(line));
        }
        socket.write(rcptReply + "\r\n");
      } else if (upper.equals("DATA")) {
        inData = true;
        socket.write("354 End data with <CR><LF>.<CR><LF>\r\n");
      } else if (upper.equals("RSET")) {
        rcpts = new ArrayList<>();
        socket.write("250 2.0.0 Ok\r\n");
      } else if (upper.equals("NOOP")) {
        socket.write("250 2.0.0 Ok\r\n");
      } else if (upper.equals("QUIT")) {
        socket.write("221 2.0.0 Bye\r\n");
        socket.close();
      } else {
        socket.write("502 5.5.2 Error: command not recognized\r\n");
      }
    }
  }

  private static String between(String line) {
    int a = line.indexOf('<');
    int b = line.lastIndexOf('>');
    return a >= 0 && b > a ? line.substring(a + 1, b) : line;
  }

  private static int indexOf(Buffer buf, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.US_ASCII);
    outer:
    for (int i = 0; i + n.length <= buf.length(); i++) {
      for (int j = 0; j < n.length; j++) {
        if (buf.getByte(i + j) != n[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
