package org.tempalias.contract;

import java.util.regex.Pattern;

/** The shape of an alias id: lowercase letters and digits, {@value #LENGTH} characters. */
public final class AliasId {
  public static final int LENGTH = 10;
  public static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final Pattern SHAPE = Pattern.compile("[a-z0-9]{" + LENGTH + "}");

  private AliasId() {}

  /** True when {@code candidate} (already lower-cased by the caller if it wants to) looks like an id. */
  public static boolean isWellFormed(String candidate) {
    return candidate != null && SHAPE.matcher(candidate).matches();
  }
}
