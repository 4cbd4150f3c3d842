package org.tempalias.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A tiny blocking SMTP client for tests: exact bytes out, whole replies in, bounded waits. */
final class LineClient implements AutoCloseable {
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  LineClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  LineClient timeout(int millis) throws IOException {
    socket.setSoTimeout(millis);
    return this;
  }

  LineClient send(String text) throws IOException {
    return sendBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  LineClient sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** Sends one command line with CRLF. */
  LineClient cmd(String line) throws IOException {
    return send(line + "\r\n");
  }

  /** Reads one reply (all its lines) and returns it with CRLFs. */
  String reply() throws IOException {
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
  String expect(String prefix) throws IOException {
    String reply = reply();
    String[] lines = reply.split("\r\n");
    assertThat(lines[lines.length - 1]).as("reply " + reply).startsWith(prefix);
    return reply;
  }

  List<String> expectAll(String... prefixes) throws IOException {
    List<String> replies = new ArrayList<>();
    for (String p : prefixes) {
      replies.add(expect(p));
    }
    return replies;
  }

  /** One CRLF-terminated line without the CRLF, or null at end of stream. */
  String line() throws IOException {
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

  /** True when the server closed the connection (reads EOF within the socket timeout). */
  boolean closedByServer() throws IOException {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  /** Layers TLS (trusting any certificate) over the connection, as after 220 to STARTTLS. */
  LineClient startTls() throws Exception {
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

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
