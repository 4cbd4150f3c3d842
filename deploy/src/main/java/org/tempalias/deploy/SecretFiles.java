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
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secrets a node needs and was not given, generated once into the data directory (mode 600)
 * and kept there, so that a restart keeps what they protect:
 * <ul>
 *   <li>{@code srs.secrets} (smtp role, {@code srs.secretsFile}): signs SRS addresses; kept so that
 *       bounces to mail forwarded before a restart still come back.</li>
 *   <li>{@code confirm.secret} (store role, {@code confirm.secretFile}): the key of the targets'
 *       keyed hash; kept so that confirmations and blocks survive a restart.</li>
 * </ul>
 * A cluster's nodes of one role must share one file instead (see the README).
 */
final class SecretFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SecretFiles.class);

  private SecretFiles() {}

  static void provide(JsonObject config, Path dataDir, Set<Role> roles) {
    if (roles.contains(Role.SMTP) && enabled(config, "srs", "enabled")) {
      provide(config, dataDir, "srs.secretsFile", "srs.secrets", "SRS secret (every smtp node of a cluster needs the same file)");
    }
    if (roles.contains(Role.STORE)) {
      provide(config, dataDir, "confirm.secretFile", "confirm.secret",
          "key of the targets' hash (every store node of a cluster needs the same file)");
    }
  }

  private static boolean enabled(JsonObject config, String section, String key) {
    JsonObject s = config.getJsonObject(section, new JsonObject());
    return !"false".equalsIgnoreCase(String.valueOf(s.getValue(key, true)).trim());
  }

  private static void provide(JsonObject config, Path dataDir, String key, String name, String what) {
    String[] path = key.split("\\.");
    if (config.getJsonObject(path[0], new JsonObject()).getString(path[1]) != null) {
      return;
    }
    Path file = dataDir.toAbsolutePath().normalize().resolve(name);
    try {
      Files.createDirectories(file.getParent());
      create(file, what);
    } catch (IOException e) {
      throw new ConfigException("cannot create " + file + ": " + e.getMessage(), e);
    }
    Settings.put(config, key, file.toString());
  }

  private static void create(Path file, String what) throws IOException {
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
    LOG.info("generated the {} in {}", what, file);
  }
}
