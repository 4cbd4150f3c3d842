package org.tempalias.deploy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A smarthost for trying tempalias on one machine: accepts every message over SMTP and writes it
 * to a file. Not part of the service and never deployed by the launcher; run it by hand:
 * {@code java -cp deploy/target/tempalias.jar org.tempalias.deploy.DevMailSink [port] [dir]}.
 */
public final class DevMailSink {
  private final Path dir;
  private final AtomicInteger received = new AtomicInteger();

  DevMailSink(Path dir) {
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 2526;
    Path dir = Path.of(args.length > 1 ? args[1] : "data/sink");
    Files.createDirectories(dir);
    Vertx vertx = Vertx.vertx();
    new DevMailSink(dir).listen(vertx, port)
        .onSuccess(server -> System.out.println("dev mail sink on 127.0.0.1:" + server.actualPort() + ", messages go to " + dir.toAbsolutePath()))
        .onFailure(failure -> {
          System.err.println("dev mail sink: " + failure.getMessage());
          System.exit(1);
        });
  }

  Future<NetServer> listen(Vertx vertx, int port) {
    return vertx.createNetServer().connectHandler(this::session).listen(port, "127.0.0.1");
  }

  private void session(NetSocket socket) {
    List<String> recipients = new ArrayList<>();
    StringBuilder envelope = new StringBuilder();
    Buffer[] data = {Buffer.buffer()};
    boolean[] inData = {false};
    RecordParser lines = RecordParser.newDelimited("\r\n");
    lines.handler(line -> {
      if (inData[0]) {
        if (line.length() == 1 && line.getByte(0) == '.') {
          inData[0] = false;
          Path file = dir.resolve("message-" + received.incrementAndGet() + ".eml");
          socket.write(save(file, envelope + "To: " + recipients + "\n", data[0])
              ? "250 2.0.0 saved as " + file.getFileName() + "\r\n"
              : "451 4.3.0 cannot write\r\n");
          System.out.println("received for " + recipients + " -> " + file);
          recipients.clear();
          envelope.setLength(0);
          data[0] = Buffer.buffer();
          return;
        }
        data[0].appendBuffer(line).appendString("\r\n");
        return;
      }
      String command = line.toString().toUpperCase();
      if (command.startsWith("EHLO")) {
        socket.write("250-dev-sink\r\n250-8BITMIME\r\n250 PIPELINING\r\n");
      } else if (command.startsWith("MAIL FROM:")) {
        envelope.setLength(0);
        envelope.append("From: ").append(line.toString().substring(10)).append('\n');
        data[0] = Buffer.buffer();
        socket.write("250 2.1.0 ok\r\n");
      } else if (command.startsWith("RCPT TO:")) {
        recipients.add(line.toString().substring(8));
        socket.write("250 2.1.5 ok\r\n");
      } else if (command.equals("DATA")) {
        inData[0] = true;
        socket.write("354 go ahead\r\n");
      } else if (command.equals("QUIT")) {
        socket.write("221 2.0.0 bye\r\n").onComplete(ar -> socket.close());
      } else {
        socket.write("250 2.0.0 ok\r\n");
      }
    });
    socket.handler(lines);
    socket.write("220 dev-sink ESMTP\r\n");
  }

  private static boolean save(Path file, String envelope, Buffer data) {
    try {
      Files.write(file, Buffer.buffer(envelope + "\n").appendBuffer(data).getBytes());
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
