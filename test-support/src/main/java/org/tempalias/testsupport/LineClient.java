package org.tempalias.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A tiny blocking SMTP client for tests: exact bytes out, whole replies in, bounded waits. It can
 * connect from another loopback address (127.0.0.2, ...) to play a second client host.
 */
public final class LineClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  public LineClient(int port) throws IOException {
    this("127.0.0.1", port);
  }

  /** Connects to 127.0.0.1:{@code port} from {@code localAddress} (any 127.x address on Linux). */
  public LineClient(String localAddress, int port) throws IOException {
    socket = new Socket();
    socket.bind(new InetSocketAddress(localAddress, 0));
    socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  public LineClient timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return this;
  }

  public LineClient send(String text) throws IOException {
    return sendBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  public LineClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Sends one command line with CRLF. */
  public LineClient cmd(String line) throws IOException {
    return send(line + "\r\n");
  }

  /** Reads one reply (all its lines) and returns it with CRLFs. */
  public String reply() throws IOException {
    StringBuilder all = new StringBuilder();
    while (true) {
      String line = line();
      if (line == null) {
        throw new IOException("connection closed after: " + all);
      }
      all.append(line).append("\r\n");
      if (line.length() < 4 || line.charAt(3) != '-') {
        return all.toString();
      }
    }
  }

  /** Reads one reply and checks that its last line starts with {@code prefix}. */
  public String expect(String prefix) throws IOException {
    String reply = reply();
    String[] lines = reply.split("\r\n");
    assertThat(lines[lines.length - 1]).as("reply " + reply).startsWith(prefix);
    return reply;
  }

  public List<String> expectAll(String... prefixes) throws IOException {
    List<String> replies = new ArrayList<>();
    for (String p : prefixes) {
      replies.add(expect(p));
    }
    return replies;
  }

  /** One CRLF-terminated line without the CRLF, or null at end of stream. */
  public String line() throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
      }
      if (prev == '\r' && b == '\n') {
        byte[] bytes = buf.toByteArray();
        return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
      }
      buf.write(b);
      prev = b;
    }
  }

  /** Shuts down our sending side (a FIN): the server reads the end of its input. */
  public LineClient halfClose() throws IOException {
    socket.shutdownOutput();
    return this;
  }

  /** True when the server closed the connection (reads EOF within the socket timeout). */
  public boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Layers TLS (trusting any certificate) over the connection, as after 220 to STARTTLS. */
  public LineClient startTls() throws Exception {
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {new X509TrustManager() {
      public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {}

      public java.security.cert.X509Certificate[] getAcceptedIssuers() {
        return new java.security.cert.X509Certificate[0];
      }
    }}, null);
    SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(socket, "localhost", socket.getPort(), true);
    ssl.setUseClientMode(true);
    ssl.startHandshake();
    socket = ssl;
    in = ssl.getInputStream();
    out = ssl.getOutputStream();
    return this;
  }

  /**
   * One whole transaction on a new connection; the reply that decided it: the first refusal, or
   * the reply to the end of data. {@code message} uses "\n" line ends.
   */
  public static String deliver(int port, String from, String to, String message) throws IOException {
    try (LineClient c = new LineClient(port)) {
      c.timeout(30_000);
      String reply = c.reply();
      if (!reply.startsWith("220")) {
        return lastLine(reply);
      }
      for (String command : new String[] {"EHLO test.example", "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">"}) {
        reply = c.cmd(command).reply();
        if (!reply.startsWith("250")) {
          return lastLine(reply);
        }
      }
      reply = c.cmd("DATA").reply();
      if (!reply.startsWith("354")) {
        return lastLine(reply);
      }
      String fin = c.send(message.replace("\n", "\r\n") + "\r\n.\r\n").reply();
      c.cmd("QUIT");
      return lastLine(fin);
    }
  }

  private static String lastLine(String reply) {
    String[] lines = reply.split("\r\n");
    return lines[lines.length - 1];
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
