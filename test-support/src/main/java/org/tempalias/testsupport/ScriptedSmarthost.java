package org.tempalias.testsupport;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A fake smarthost with a dialogue that tests can script (a scripted peer is fine for faults a
 * real one cannot be made to show on cue: a 451, a drop, a stall): every step has a default
 * positive reply, which a test may replace with another reply (multi-line with "\n"),
 * {@link #DROP} (close the connection) or {@link #STALL} (say nothing). Records every command
 * line, every delivered message with its exact DATA bytes (as on the wire, still dot-stuffed,
 * without the final ".CRLF"), and how many connections it accepted. STARTTLS with a self-signed
 * pair for localhost / 127.0.0.1 ({@link #certificateFile()} for a client's trust store).
 */
public final class ScriptedSmarthost {
  public static final String DROP = "DROP";
  public static final String STALL = "STALL";
  private static final String THEN_DROP = "THEN-DROP ";

  /** A scripted reply after which the smarthost closes the connection. */
  public static String thenDrop(String reply) {
    return THEN_DROP + reply;
  }

  public enum Step { GREETING, EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, END, RSET, QUIT }

  /**
   * @param mailFrom the MAIL command line as received
   * @param rcptTo   the RCPT command lines as received
   * @param data     the DATA bytes (empty with {@link #countOnly})
   */
  public record Delivered(String mailFrom, List<String> rcptTo, Buffer data, boolean tls, int connection) {
    public String text() {
      return data.toString(StandardCharsets.ISO_8859_1);
    }

    /** The reverse path of MAIL FROM, without brackets and parameters. */
    public String sender() {
      return path(mailFrom);
    }

    /** The forward paths of the RCPT commands, without brackets. */
    public List<String> recipients() {
      return rcptTo.stream().map(ScriptedSmarthost::path).toList();
    }
  }

  static String path(String command) {
    int open = command.indexOf('<');
    int close = command.indexOf('>', open + 1);
    return open < 0 || close < 0 ? command : command.substring(open + 1, close);
  }

  /** CR LF "." CR LF as the low five bytes of a long. */
  private static final long TERMINATOR_BITS = 0x0d0a2e0d0aL;

  public final Map<Step, String> replies = new ConcurrentHashMap<>();
  /** Replies used once, ahead of {@link #replies}. */
  public final Map<Step, String> once = new ConcurrentHashMap<>();
  /** Milliseconds a step's reply is held back (a slow but live smarthost). */
  public final Map<Step, Long> delays = new ConcurrentHashMap<>();
  public final List<String> commands = new CopyOnWriteArrayList<>();
  public final List<Delivered> delivered = new CopyOnWriteArrayList<>();
  public final AtomicInteger connections = new AtomicInteger();
  public final AtomicInteger closed = new AtomicInteger();
  public final AtomicLong dataBytes = new AtomicLong();
  public volatile List<String> extensions = List.of("PIPELINING", "SIZE 10485760", "8BITMIME", "ENHANCEDSTATUSCODES", "SMTPUTF8");
  public volatile boolean offerStartTls;
  public volatile String authMechanisms;
  public volatile String username = "user";
  public volatile String password = "secret";
  public volatile boolean pauseAtData;
  /** Count the DATA bytes instead of keeping them (for messages larger than the test heap). */
  public volatile boolean countOnly;
  private volatile NetSocket paused;
  private NetServer server;
  private Vertx vertx;

  public Future<Integer> start(Vertx vertx) {
    this.vertx = vertx;
    // A small receive buffer keeps the kernel from soaking up megabytes when the sink pauses.
    server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setReceiveBufferSize(64 * 1024)
        .setSsl(false).setKeyCertOptions(new PemKeyCertOptions()
            .setCertValue(resource("tls/smarthost-cert.pem")).setKeyValue(resource("tls/smarthost-key.pem"))));
    server.connectHandler(socket -> new Session(socket, connections.incrementAndGet()).begin());
    return server.listen().map(NetServer::actualPort);
  }

  public int port() {
    return server.actualPort();
  }

  public Future<Void> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Lets a sink paused at DATA read again. */
  public void resume() {
    NetSocket socket = paused;
    if (socket != null) {
      socket.resume();
    }
  }

  public boolean isPaused() {
    return paused != null;
  }

  private final class Session {
    private final NetSocket socket;
    private final int number;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
    private boolean inData;
    private Buffer data;
    /** The last bytes of the data, for spotting the terminator without keeping the data. */
    private long tail;
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
          tail = (tail << 8) | (b & 0xffL);
          if (!countOnly) {
            data.appendByte(b);
          }
          dataBytes.incrementAndGet();
          if (b == '\n' && (tail & 0xffffffffffL) == TERMINATOR_BITS) {
            inData = false;
            // Drop the leading CRLF and ".CRLF".
            Buffer body = countOnly ? Buffer.buffer() : data.getBuffer(2, data.length() - 3);
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
            tail = 0x0d0aL;
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
      if (scripted.startsWith(THEN_DROP)) {
        socket.write(scripted.substring(THEN_DROP.length()) + "\r\n").onComplete(ar -> socket.close());
        return true;
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

  public static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  /** The smarthost's certificate as a file (a trust store for a client that verifies it). */
  public static String certificateFile() {
    try {
      Path file = Files.createTempFile("smarthost-cert", ".pem");
      file.toFile().deleteOnExit();
      Files.write(file, resource("tls/smarthost-cert.pem").getBytes());
      return file.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Buffer resource(String name) {
    try (InputStream in = ScriptedSmarthost.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
