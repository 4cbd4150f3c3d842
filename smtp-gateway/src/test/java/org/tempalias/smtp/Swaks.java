package org.tempalias.smtp;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the real swaks client when it is installed; tests using it are skipped otherwise. */
final class Swaks {
  private static final String PATH = "/usr/bin/swaks";

  private Swaks() {}

  record Result(int exit, String output) {}

  static Result run(int port, String... args) throws Exception {
    Assumptions.assumeTrue(new File(PATH).canExecute(), "swaks not installed");
    List<String> cmd = new ArrayList<>(List.of(PATH, "--server", "127.0.0.1:" + port, "--helo", "client.example"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("swaks did not finish");
    }
    return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
  }
}
