package org.tempalias.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.tempalias.contract.AliasId;

/** Random ids and keys, and the one-way hash under which update keys are stored. */
final class Secrets {
  /** 192 bits: far beyond guessing, and 32 URL-safe characters. */
  static final int UPDATE_KEY_BYTES = 24;
  private static final int CLAIM_ID_BYTES = 12;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

  private Secrets() {}

  /** 36^10 (about 2^51) ids: guessing one live alias among millions is still hopeless. */
  static String newAliasId() {
    char[] id = new char[AliasId.LENGTH];
    for (int i = 0; i < id.length; i++) {
      id[i] = AliasId.ALPHABET.charAt(RANDOM.nextInt(AliasId.ALPHABET.length()));
    }
    return new String(id);
  }

  static String newUpdateKey() {
    return randomUrlSafe(UPDATE_KEY_BYTES);
  }

  /** 256 bits: an API token is long-lived, so it gets more than an update key. */
  static String newApiToken() {
    return randomUrlSafe(32);
  }

  static String newClaimId() {
    return randomUrlSafe(CLAIM_ID_BYTES);
  }

  /** SHA-256 of the key, hex: the only form in which an update key is ever stored. */
  static String hash(String updateKey) {
    try {
      return HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(updateKey.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }

  /** Compares in time independent of where the first difference is. */
  static boolean matches(String updateKey, String storedHash) {
    if (updateKey == null || storedHash == null) {
      return false;
    }
    return MessageDigest.isEqual(
        hash(updateKey).getBytes(StandardCharsets.US_ASCII),
        storedHash.getBytes(StandardCharsets.US_ASCII));
  }

  private static String randomUrlSafe(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return URL_SAFE.encodeToString(b);
  }

  /** A fresh 32-byte key, as base64 text (one line of a key file). */
  static byte[] newKey() {
    return randomUrlSafe(32).getBytes(StandardCharsets.US_ASCII);
  }

  /** The first line of a key file, byte for byte (blocking: off the event loop). */
  static byte[] readKey(String file) {
    try {
      String first = java.nio.file.Files.readString(java.nio.file.Path.of(file), StandardCharsets.ISO_8859_1)
          .split("[\r\n]+")[0];
      if (first.isEmpty()) {
        throw new IllegalArgumentException("confirm.secretFile: " + file + " is empty");
      }
      return first.getBytes(StandardCharsets.ISO_8859_1);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("confirm.secretFile: cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
