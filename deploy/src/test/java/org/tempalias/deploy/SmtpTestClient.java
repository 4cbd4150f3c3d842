package org.tempalias.deploy;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A plain blocking SMTP client for tests: send a line, read the (possibly multi-line) reply. */
final class SmtpTestClient implements Closeable {
  private final Socket socket;
  private final BufferedReader in;
  private final OutputStream out;

  SmtpTestClient(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(30_000);
    in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
    out = socket.getOutputStream();
  }

  /** Reads one reply and returns its last line ("250 2.0.0 Ok"). */
  String reply() throws IOException {
    String line;
    do {
      line = in.readLine();
      if (line == null) {
        throw new IOException("connection closed by the server");
      }
    } while (line.length() > 3 && line.charAt(3) == '-');
    return line;
  }

  String send(String line) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return reply();
  }

  /**
   * One whole transaction; returns the reply that decided it: the first refusal, or the final
   * reply to the end of data.
   */
  static String deliver(int port, String from, String to, String message) throws IOException {
    try (SmtpTestClient c = new SmtpTestClient(port)) {
      String greeting = c.reply();
      if (!greeting.startsWith("220")) {
        return greeting;
      }
      for (String command : new String[] {"EHLO test.example", "MAIL FROM:<" + from + ">", "RCPT TO:<" + to + ">"}) {
        String reply = c.send(command);
        if (!reply.startsWith("250")) {
          return reply;
        }
      }
      String go = c.send("DATA");
      if (!go.startsWith("354")) {
        return go;
      }
      String fin = c.send(message.replace("\n", "\r\n") + "\r\n.");
      c.send("QUIT");
      return fin;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
