package org.tempalias.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * A program a test needs that a fresh machine (Java and Maven only) lacks. Missing, the test is
 * skipped with one line saying what to install; under {@code CI=true} or
 * {@code -Dtempalias.requireTools=true} (what {@code .ci/run} sets) it fails instead, so CI never
 * skips silently.
 */
public enum OptionalTool {
  SWAKS("swaks", "/usr/bin/swaks", "apt-get install swaks"),
  CHROMEDRIVER("chromedriver", "/usr/bin/chromedriver", "apt-get install chromium chromium-driver"),
  CHROMIUM("chromium", "/usr/bin/chromium", "apt-get install chromium chromium-driver"),
  POSTSRSD("postsrsd", "/usr/sbin/postsrsd", "apt-get install postsrsd");

  private final String name;
  private final Path path;
  private final String install;

  OptionalTool(String name, String path, String install) {
    this.name = name;
    this.path = Path.of(path);
    this.install = install;
  }

  /** Where the tool is expected. */
  public Path path() {
    return path;
  }

  /** Whether missing tools fail the test rather than skip it. */
  public static boolean required() {
    return "true".equalsIgnoreCase(System.getenv("CI")) || Boolean.getBoolean("tempalias.requireTools");
  }

  /** The tool's path; skips (or, when {@link #required()}, fails) the calling test without it. */
  public Path require() {
    if (Files.isExecutable(path)) {
      return path;
    }
    String line = "tempalias: skipped a test that needs " + name + " (" + path + "); install it with: " + install;
    if (required()) {
      throw new AssertionError(line.replace("skipped a test that needs", "missing") + " (required under CI)");
    }
    System.out.println(line);
    Assumptions.abort(line);
    return path;
  }
}
