package org.tempalias.testsupport;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real swaks client (an {@link OptionalTool}) against a local SMTP port. */
public final class Swaks {
  private Swaks() {}

  public record Result(int exit, String output) {}

  public static Result run(int port, String... args) throws Exception {
    String swaks = OptionalTool.SWAKS.require().toString();
    List<String> cmd = new ArrayList<>(List.of(swaks, "--server", "127.0.0.1:" + port, "--helo", "client.example"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("swaks did not finish within 30 s");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
