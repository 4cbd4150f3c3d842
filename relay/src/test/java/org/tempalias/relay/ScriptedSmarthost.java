package org.tempalias.relay;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake smarthost with a dialogue that tests can script: every step has a default positive
 * reply, which a test may replace with another reply (multi-line with "\n"), {@link #DROP}
 * (close the connection) or {@link #STALL} (say nothing). Records every command line, every
 * delivered message with its exact DATA bytes (as on the wire, without the final ".CRLF"), and
 * how many connections it accepted.
 */
final class ScriptedSmarthost {
  static final String DROP = "DROP";
  static final String STALL = "STALL";

  enum Step { GREETING, EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, END, RSET, QUIT }

  record Delivered(String mailFrom, List<String> rcptTo, Buffer data, boolean tls, int connection) {
    String text() {
      return data.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static final Buffer TERMINATOR = Buffer.buffer("\r\n.\r\n");

  final Map<Step, String> replies = new ConcurrentHashMap<>();
  /** Replies used once, ahead of {@link #replies}. */
  final Map<Step, String> once = new ConcurrentHashMap<>();
  /** Milliseconds a step's reply is held back (a slow but live smarthost). */
  final Map<Step, Long> delays = new ConcurrentHashMap<>();
  final List<String> commands = new CopyOnWriteArrayList<>();
  final List<Delivered> delivered = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  final AtomicInteger closed = new AtomicInteger();
  final AtomicLong dataBytes = new AtomicLong();
  volatile List<String> extensions = List.of("PIPELINING", "SIZE 10485760", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8");
  volatile boolean offerStartTls;
  volatile String authMechanisms;
  volatile String username = "user";
  volatile String password = "secret";
  volatile boolean pauseAtData;
  private volatile NetSocket paused;
  private NetServer server;
  private Vertx vertx;

  Future<Integer> start(Vertx vertx) {
    this.vertx = vertx;
    // A small receive buffer keeps the kernel from soaking up megabytes when the sink pauses.
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setReceiveBufferSize(64 * 1024)
        .setSsl(false).setKeyCertOptions(new PemKeyCertOptions()
            .setCertPath(resource("tls/smarthost-cert.pem")).setKeyPath(resource("tls/smarthost-key.pem"))));
    server.connectHandler(socket -> new Session(socket, connections.incrementAndGet()).begin());
    return server.listen().map(NetServer::actualPort);
  }

  Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Lets a sink paused at DATA read again. */
  void resume() {
    NetSocket socket = paused;
    if (socket != null) {
      socket.resume();
    }
  }

  boolean isPaused() {
    return paused != null;
  }

  private final class Session {
    private final NetSocket socket;
    private final int number;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private boolean inData;
    private Buffer data;
    private String loginStep;
    private String mailFrom;
    private final List<String> rcptTo = new ArrayList<>();

    Session(NetSocket socket, int number) {
      this.socket = socket;
      this.number = number;
    }

    void begin() {
      socket.handler(this::onBytes);
      socket.closeHandler(v -> closed.incrementAndGet());
      reply(Step.GREETING, "220 sink.test ESMTP scripted");
    }

    private void onBytes(Buffer bytes) {
      for (int i = 0; i < bytes.length(); i++) {
        byte b = bytes.getByte(i);
        if (inData) {
          data.appendByte(b);
          dataBytes.incrementAndGet();
          if (b == '\n' && endsWithTerminator()) {
            inData = false;
            Buffer body = data.getBuffer(2, data.length() - 3); // drop the leading CRLF and ".CRLF"
            commands.add("<data " + body.length() + " bytes>");
            delivered.add(new Delivered(mailFrom, List.copyOf(rcptTo), body, socket.isSsl(), number));
            reply(Step.END, "250 2.0.0 Ok: queued");
          }
        } else if (b == '\n') {
          String command = line.toString(StandardCharsets.UTF_8).replaceAll("\r$", "");
          line.reset();
          onCommand(command);
        } else {
          line.write(b);
        }
      }
    }

    private boolean endsWithTerminator() {
      int n = data.length();
      return n >= 5 && data.getBuffer(n - 5, n).equals(TERMINATOR);
    }

    private void onCommand(String command) {
      commands.add(command);
      if (loginStep != null) {
        onLogin(command);
        return;
      }
      String verb = command.split(" ", 2)[0].toUpperCase(Locale.ROOT);
      switch (verb) {
        case "EHLO" -> reply(Step.EHLO, ehlo());
        case "HELO" -> reply(Step.HELO, "250 sink.test");
        case "STARTTLS" -> {
          String scripted = replies.getOrDefault(Step.STARTTLS, "220 2.0.0 Ready to start TLS");
          if (scripted.startsWith("220")) {
            // Vert.x writes the 220 and installs the TLS handler in one step: writing the 220
            // first and upgrading after races with the client's ClientHello.
            socket.upgradeToSsl(Buffer.buffer(scripted + "\r\n"));
          } else {
            reply(Step.STARTTLS, scripted);
          }
        }
        case "AUTH" -> onAuth(command);
        case "MAIL" -> {
          mailFrom = command;
          rcptTo.clear();
          reply(Step.MAIL, "250 2.1.0 Ok");
        }
        case "RCPT" -> {
          rcptTo.add(command);
          reply(Step.RCPT, "250 2.1.5 Ok");
        }
        case "DATA" -> {
          if (reply(Step.DATA, "354 End data with <CR><LF>.<CR><LF>")) {
            inData = true;
            data = Buffer.buffer("\r\n");
            if (pauseAtData) {
              socket.pause();
              paused = socket;
            }
          }
        }
        case "RSET" -> {
          mailFrom = null;
          rcptTo.clear();
          reply(Step.RSET, "250 2.0.0 Ok");
        }
        case "QUIT" -> {
          reply(Step.QUIT, "221 2.0.0 Bye");
          socket.close();
        }
        case "NOOP" -> socket.write("250 2.0.0 Ok\r\n");
        default -> socket.write("502 5.5.2 Error: command not recognized\r\n");
      }
    }

    private String ehlo() {
      List<String> lines = new ArrayList<>();
      lines.add("250-sink.test");
      lines.addAll(extensions.stream().map(e -> "250-" + e).toList());
      if (offerStartTls && !socket.isSsl()) {
        lines.add("250-STARTTLS");
      }
      if (authMechanisms != null) {
        lines.add("250-AUTH " + authMechanisms);
      }
      lines.add("250 CHUNKING");
      return String.join("\n", lines);
    }

    private void onAuth(String command) {
      String[] parts = command.split(" ");
      String mechanism = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
      if (mechanism.equals("PLAIN") && parts.length > 2) {
        boolean ok = parts[2].equals(base64("\0" + username + "\0" + password));
        reply(Step.AUTH, ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
      } else if (mechanism.equals("LOGIN")) {
        loginStep = "user";
        socket.write("334 " + base64("Username:") + "\r\n");
      } else {
        socket.write("504 5.5.4 Unrecognized authentication type\r\n");
      }
    }

    private void onLogin(String response) {
      if (loginStep.equals("user")) {
        loginStep = response.equals(base64(username)) ? "password" : "bad";
        socket.write("334 " + base64("Password:") + "\r\n");
      } else {
        boolean ok = loginStep.equals("password") && response.equals(base64(password));
        loginStep = null;
        reply(Step.AUTH, ok ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
      }
    }

    /** Writes the scripted reply for a step; false when the script dropped or stalled instead. */
    private boolean reply(Step step, String fallback) {
      String scripted = once.remove(step);
      if (scripted == null) {
        scripted = replies.getOrDefault(step, fallback);
      }
      if (scripted.equals(DROP)) {
        socket.close();
        return false;
      }
      if (scripted.equals(STALL)) {
        return false;
      }
      Buffer out = Buffer.buffer(scripted.replace("\n", "\r\n") + "\r\n");
      Long delay = delays.get(step);
      if (delay == null) {
        socket.write(out);
      } else {
        vertx.setTimer(delay, t -> socket.write(out));
      }
      return scripted.equals(fallback) || scripted.startsWith(fallback.substring(0, 3));
    }
  }

  static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String resource(String name) {
    try {
      return java.nio.file.Path.of(ScriptedSmarthost.class.getClassLoader().getResource(name).toURI()).toString();
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
