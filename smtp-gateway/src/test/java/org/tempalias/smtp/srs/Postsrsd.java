package org.tempalias.smtp.srs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.tempalias.testsupport.OptionalTool;
import org.tempalias.testsupport.Ports;

/**
 * The real postsrsd (Debian's package, 1.x) on free loopback ports, asked through its Postfix TCP
 * lookup tables: {@code get <address>} on the forward port gives {@code 200 <SRS address>}, on the
 * reverse port {@code 200 <original>}; anything else is {@code 500 <why>}.
 */
public final class Postsrsd implements AutoCloseable {
  private final Process process;
  private final int forwardPort;
  private final int reversePort;

  /** Starts postsrsd with these secrets (the first signs) for {@code domain}; skips the test without it. */
  public static Postsrsd start(Path dir, String domain, List<String> secrets) {
    String binary = OptionalTool.POSTSRSD.require().toString();
    try {
      Path file = dir.resolve("postsrsd-" + System.nanoTime() + ".secret");
      Files.write(file, secrets);
      int forward = Ports.free();
      int reverse = Ports.free();
      Process process = new ProcessBuilder(binary, "-s" + file, "-d" + domain, "-l127.0.0.1",
          "-f" + forward, "-r" + reverse, "-4")
          .redirectErrorStream(true).redirectOutput(dir.resolve("postsrsd.log").toFile()).start();
      Postsrsd p = new Postsrsd(process, forward, reverse);
      p.awaitListening();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Postsrsd(Process process, int forwardPort, int reversePort) {
    this.process = process;
    this.forwardPort = forwardPort;
    this.reversePort = reversePort;
  }

  /** The forward table's answer for {@code address}: "200 SRS0=…" or "500 …". */
  public String forward(String address) {
    return get(forwardPort, address);
  }

  /** The reverse table's answer for {@code address}. */
  public String reverse(String address) {
    return get(reversePort, address);
  }

  private String get(int port, String address) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("get " + encode(address) + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      String line = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8)).readLine();
      return line == null ? null : URLDecoder.decode(line.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Postfix's tcp_table encoding: %XX for '%', white space and controls. */
  private static String encode(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c <= 32 || c == '%' || c == 127) {
        out.append('%').append(String.format("%02X", c));
      } else {
        out.append((char) c);
      }
    }
    return out.toString();
  }

  private void awaitListening() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("postsrsd exited with " + process.exitValue());
      }
      try (Socket a = new Socket("127.0.0.1", forwardPort); Socket b = new Socket("127.0.0.1", reversePort)) {
        return;
      } catch (IOException notYet) {
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    throw new AssertionError("postsrsd did not listen within 10 s");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
