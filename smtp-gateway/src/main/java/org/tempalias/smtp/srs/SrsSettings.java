package org.tempalias.smtp.srs;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * The top-level {@code srs} section: {@code enabled} (default true), {@code domain} (default the
 * first alias domain), {@code secretsFile} (one secret a line, the first signs; as postsrsd reads
 * it), {@code maxAgeDays} (default 21, as libsrs2).
 */
public record SrsSettings(boolean enabled, String domain, String secretsFile, int maxAgeDays) {
  public static final String SECTION = "srs";

  public static SrsSettings from(JsonObject config, List<String> aliasDomains) {
    Object raw = config.getValue(SECTION);
    if (raw != null && !(raw instanceof JsonObject)) {
      throw new IllegalArgumentException("srs: must be an object");
    }
    JsonObject s = raw == null ? new JsonObject() : (JsonObject) raw;
    Object enabled = s.getValue("enabled", true);
    boolean on = enabled instanceof Boolean b ? b : Boolean.parseBoolean(enabled.toString().trim());
    String domain = s.getString("domain", aliasDomains.get(0)).trim().toLowerCase(Locale.ROOT);
    if (domain.isEmpty() || !domain.matches("[a-z0-9.-]+")) {
      throw new IllegalArgumentException("srs.domain: expected a domain name, got '" + domain + "'");
    }
    String file = s.getString("secretsFile");
    Object age = s.getValue("maxAgeDays", 21);
    int maxAge;
    try {
      maxAge = Integer.parseInt(age.toString().trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("srs.maxAgeDays: expected a whole number, got " + age);
    }
    if (maxAge < 1 || maxAge > 1000) {
      throw new IllegalArgumentException("srs.maxAgeDays: must be between 1 and 1000");
    }
    return new SrsSettings(on, domain, file == null || file.isBlank() ? null : file.trim(), maxAge);
  }

  /** A fresh random secret: 32 bytes from SecureRandom, as base64 text (a line of a secrets file). */
  public static byte[] newSecret() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getEncoder().withoutPadding().encode(bytes);
  }

  /** The secrets in the file, in order (blocking: call off the event loop). */
  public static List<byte[]> readSecrets(String file) {
    List<byte[]> secrets = new ArrayList<>();
    try {
      // Byte for byte as postsrsd takes them: every non-empty line, without its CR/LF.
      for (String line : Files.readString(Path.of(file), StandardCharsets.ISO_8859_1).split("[\r\n]+")) {
        if (!line.isEmpty()) {
          secrets.add(line.getBytes(StandardCharsets.ISO_8859_1));
        }
      }
    } catch (IOException e) {
      throw new IllegalArgumentException("srs.secretsFile: cannot read " + file + ": " + e.getMessage(), e);
    }
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("srs.secretsFile: " + file + " holds no secret");
    }
    return secrets;
  }
}
