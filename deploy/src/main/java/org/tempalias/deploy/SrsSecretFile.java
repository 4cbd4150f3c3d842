package org.tempalias.deploy;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SRS secret of a node that was given none ({@code srs.secretsFile} unset): generated once into
 * the data directory ({@code srs.secrets}, mode 600) and kept there, so that a restart does not
 * invalidate the bounce addresses of mail already forwarded. A cluster's smtp nodes must share one
 * file instead (see the README).
 */
final class SrsSecretFile {
  private static final Logger LOG = LoggerFactory.getLogger(SrsSecretFile.class);
  static final String NAME = "srs.secrets";

  private SrsSecretFile() {}

  /** Points {@code srs.secretsFile} at the data directory's file, creating it first if need be. */
  static void provide(JsonObject config, Path dataDir) {
    JsonObject srs = config.getJsonObject("srs", new JsonObject());
    boolean enabled = !"false".equalsIgnoreCase(String.valueOf(srs.getValue("enabled", true)).trim());
    if (!enabled || srs.getString("secretsFile") != null) {
      return;
    }
    Path file = dataDir.toAbsolutePath().normalize().resolve(NAME);
    try {
      Files.createDirectories(file.getParent());
      create(file);
    } catch (IOException e) {
      throw new ConfigException("cannot create the SRS secret " + file + ": " + e.getMessage(), e);
    }
    Settings.put(config, "srs.secretsFile", file.toString());
  }

  private static void create(Path file) throws IOException {
    if (Files.exists(file)) {
      return;
    }
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    try {
      Files.createFile(file);
    } catch (FileAlreadyExistsException raced) {
      return;
    }
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException notPosix) {
      // the data directory's own permissions protect it
    }
    Files.writeString(file, Base64.getEncoder().withoutPadding().encodeToString(random) + "\n", StandardCharsets.US_ASCII);
    LOG.info("generated the SRS secret in {}; every smtp node of a cluster needs the same file", file);
  }
}
