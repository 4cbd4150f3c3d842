package org.tempalias.smtp.srs;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Sender Rewriting Scheme as libsrs2 and postsrsd write it, so that either side decodes what
 * the other wrote (same secret, same domain): separator {@code =}, hash length 4, a time stamp of
 * days in two base32 characters, at most {@code maxAgeDays} old. Pure (the clock is given).
 *
 * <pre>
 *   local@host                          -&gt; SRS0=HHHH=TT=host=local@srs-domain
 *   SRS0=HHHH=TT=host=local@forwarder   -&gt; SRS1=GGGG=forwarder==HHHH=TT=host=local@srs-domain
 *   SRS1=GGGG=first==rest@other         -&gt; SRS1=KKKK=first==rest@srs-domain
 * </pre>
 *
 * The hash is HMAC-SHA1 under the first secret over the parts in that order, lower-cased (ASCII),
 * in base64, its first four characters; a hash verifies under any of the secrets (rotation), and
 * compares without regard to case (some MTAs lower-case local parts).
 */
public final class Srs {
  private static final String TIME_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final String HASH_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  private static final String SEPARATORS = "=-+";
  private static final char SEP = '=';
  private static final int HASH_LENGTH = 4;
  private static final int TIME_SLOTS = 1024; // two base32 characters
  private static final long DAY_SECONDS = 86_400;

  /** A mailbox split as SMTP carries it: local part (unquoted) and domain. */
  public record Address(String local, String domain) {
    @Override
    public String toString() {
      return local + "@" + domain;
    }
  }

  /** What reversing a recipient gave. */
  public sealed interface Reversed permits Original, Invalid, Expired, NotSrs {}

  /** The address it stands for (for SRS1, the SRS0 address at the first forwarder). */
  public record Original(Address address) implements Reversed {}

  /** Malformed, or a hash no secret of ours made. */
  public record Invalid(String why) implements Reversed {}

  /** Well formed and ours, but older than the maximum age. */
  public record Expired() implements Reversed {}

  /** Not an SRS address at all. */
  public record NotSrs() implements Reversed {}

  private final List<byte[]> secrets;
  private final String domain;
  private final int maxAgeDays;
  private final LongSupplier epochSeconds;

  /**
   * @param secrets      the first signs, every one verifies (at least one, none empty)
   * @param domain       the domain SRS addresses are written in (its MX is this gateway)
   * @param epochSeconds the clock
   */
  public Srs(List<byte[]> secrets, String domain, int maxAgeDays, LongSupplier epochSeconds) {
    if (secrets.isEmpty() || secrets.stream().anyMatch(s -> s.length == 0)) {
      throw new IllegalArgumentException("SRS needs at least one non-empty secret");
    }
    this.secrets = List.copyOf(secrets);
    this.domain = domain.toLowerCase(Locale.ROOT);
    this.maxAgeDays = maxAgeDays;
    this.epochSeconds = epochSeconds;
  }

  public String domain() {
    return domain;
  }

  public int maxAgeDays() {
    return maxAgeDays;
  }

  /** The envelope sender to send onwards for {@code sender} (libsrs2's "guarded" scheme). */
  public Address forward(Address sender) {
    String local = sender.local();
    if (isTagged(local, "SRS1")) {
      // SRS1=HHHH=first==rest: keep the first forwarder and the rest, sign them anew.
      int hostStart = local.indexOf(SEP, 5);
      int userStart = hostStart < 0 ? -1 : local.indexOf(SEP, hostStart + 1);
      if (hostStart > 5 && userStart > hostStart + 1 && userStart < local.length() - 1) {
        String first = local.substring(hostStart + 1, userStart);
        String rest = local.substring(userStart + 1);
        return srs1(first, rest);
      }
    } else if (isTagged(local, "SRS0")) {
      // Someone else's SRS0: we are the second forwarder; bounces go back through the first.
      return srs1(sender.domain(), local.substring(4));
    }
    String stamp = stamp(epochSeconds.getAsLong());
    String hash = hash(0, stamp, sender.domain(), local);
    return new Address("SRS0" + SEP + hash + SEP + stamp + SEP + sender.domain() + SEP + local, domain);
  }

  private Address srs1(String first, String rest) {
    return new Address("SRS1" + SEP + hash(0, first, rest) + SEP + first + SEP + rest, domain);
  }

  /** The address a bounce to {@code localPart}@(our SRS domain) must go to, or why it must not. */
  public Reversed reverse(String localPart) {
    if (isTagged(localPart, "SRS1")) {
      String[] parts = split(localPart, 2);
      if (parts == null) {
        return new Invalid("malformed SRS1 address");
      }
      String first = parts[1];
      String rest = parts[2];
      if (!verifies(parts[0], first, rest)) {
        return new Invalid("hash does not verify");
      }
      return new Original(new Address("SRS0" + rest, first));
    }
    if (isTagged(localPart, "SRS0")) {
      String[] parts = split(localPart, 3);
      if (parts == null) {
        return new Invalid("malformed SRS0 address");
      }
      String stamp = parts[1];
      String host = parts[2];
      String user = parts[3];
      Long age = ageDays(stamp);
      if (age == null) {
        return new Invalid("bad time stamp");
      }
      if (age > maxAgeDays) {
        return new Expired();
      }
      if (!verifies(parts[0], stamp, host, user)) {
        return new Invalid("hash does not verify");
      }
      return new Original(new Address(user, host));
    }
    return new NotSrs();
  }

  /** Whether {@code local} is an SRS address's local part (SRS0 or SRS1 and a separator). */
  public static boolean isSrs(String local) {
    return isTagged(local, "SRS0") || isTagged(local, "SRS1");
  }

  private static boolean isTagged(String local, String tag) {
    return local.length() > 5 && local.regionMatches(true, 0, tag, 0, 4) && SEPARATORS.indexOf(local.charAt(4)) >= 0;
  }

  /**
   * The hash after the tag and its separator, then {@code fields} more '='-separated fields, the
   * last one taking the rest; null when a part is missing or empty.
   */
  private static String[] split(String local, int fields) {
    String[] out = new String[fields + 1];
    int from = 5;
    for (int i = 0; i < fields; i++) {
      int sep = local.indexOf(SEP, from);
      if (sep <= from) {
        return null;
      }
      out[i] = local.substring(from, sep);
      from = sep + 1;
    }
    if (from >= local.length()) {
      return null;
    }
    out[fields] = local.substring(from);
    return out;
  }

  private boolean verifies(String given, String... parts) {
    if (given.length() < HASH_LENGTH) {
      return false;
    }
    String hash = given.substring(0, HASH_LENGTH);
    for (int i = 0; i < secrets.size(); i++) {
      if (hash.equalsIgnoreCase(hash(i, parts))) {
        return true;
      }
    }
    return false;
  }

  /** Days since the stamp was written, or null for a stamp that is not two base32 characters. */
  private Long ageDays(String stamp) {
    if (stamp.length() != 2) {
      return null;
    }
    int then = 0;
    for (int i = 0; i < 2; i++) {
      int c = TIME_CHARS.indexOf(Character.toUpperCase(stamp.charAt(i)));
      if (c < 0) {
        return null;
      }
      then = (then << 5) | c;
    }
    long now = (epochSeconds.getAsLong() / DAY_SECONDS) % TIME_SLOTS;
    while (now < then) {
      now += TIME_SLOTS; // the stamp wraps every 1024 days
    }
    return now - then;
  }

  static String stamp(long epochSeconds) {
    long days = epochSeconds / DAY_SECONDS;
    return "" + TIME_CHARS.charAt((int) ((days >> 5) & 31)) + TIME_CHARS.charAt((int) (days & 31));
  }

  private String hash(int secret, String... parts) {
    byte[] digest;
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      mac.init(new SecretKeySpec(secrets.get(secret), "HmacSHA1"));
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
          if (bytes[i] >= 'A' && bytes[i] <= 'Z') {
            bytes[i] += 'a' - 'A';
          }
        }
        mac.update(bytes);
      }
      digest = mac.doFinal();
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA1 is required of every JVM", e);
    }
    // The first HASH_LENGTH characters of the digest in base64 (24 bits make four).
    int bits = ((digest[0] & 0xff) << 16) | ((digest[1] & 0xff) << 8) | (digest[2] & 0xff);
    return new String(new char[] {
        HASH_CHARS.charAt((bits >> 18) & 63), HASH_CHARS.charAt((bits >> 12) & 63),
        HASH_CHARS.charAt((bits >> 6) & 63), HASH_CHARS.charAt(bits & 63)});
  }
}
