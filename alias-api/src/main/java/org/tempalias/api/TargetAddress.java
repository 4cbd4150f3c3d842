package org.tempalias.api;

import java.nio.charset.StandardCharsets;

/**
 * A forwarding target that is safe to put into an SMTP {@code RCPT TO:<...>} command: a mailbox in
 * the syntax of RFC 5321 §4.1.2, restricted further where the RFC allows things we never need.
 *
 * <ul>
 *   <li>Local part: a Dot-string of atext (RFC 5321 §4.1.2, RFC 5322 §3.2.3), or a non-empty
 *       Quoted-string of qtextSMTP / quoted-pairSMTP, at most 64 octets (§4.5.3.1.1).</li>
 *   <li>Domain: at least two LDH labels of 1..63 characters that neither start nor end with a
 *       hyphen (§4.1.2 sub-domain, RFC 1035 §2.3.1), a top-level label that is not all digits
 *       (RFC 3696 §2, so that {@code 1.2.3.4} cannot pose as an address), at most 255 octets
 *       (§4.5.3.1.2). Address literals ({@code [192.0.2.1]}) are refused: a forwarding target
 *       names a mail domain.</li>
 *   <li>The whole address at most 254 octets: a Path is at most 256 octets including the angle
 *       brackets (§4.5.3.1.3).</li>
 *   <li>ASCII only. Non-ASCII local parts need SMTPUTF8 (RFC 6531), which the relay does not
 *       offer. Internationalised domains are accepted in A-label form ({@code xn--...}) only;
 *       U-labels are refused rather than converted, because Java's IDN class implements IDNA2003,
 *       whose mapping differs from IDNA2008 for some names (e.g. {@code ß}) and would forward mail
 *       to a different domain than the user meant.</li>
 *   <li>Never a control character, CR, LF, space (outside quotes), {@code <} or {@code >} (not
 *       even quoted): nothing that could end or extend an SMTP command line.</li>
 * </ul>
 *
 *
 * <p>The only way to get an instance is {@link #parse}, so holding one means the check passed.
 */
public final class TargetAddress {
  public static final int MAX_LOCAL_PART = 64;
  public static final int MAX_DOMAIN = 255;
  public static final int MAX_ADDRESS = 254;
  private static final int MAX_LABEL = 63;
  private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

  private final String localPart;
  private final String domain;

  private TargetAddress(String localPart, String domain) {
    this.localPart = localPart;
    this.domain = domain;
  }

  /** The local part exactly as given (quotes included when quoted). */
  public String localPart() {
    return localPart;
  }

  /** The domain exactly as given. */
  public String domain() {
    return domain;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TargetAddress t && t.localPart.equals(localPart) && t.domain.equals(domain);
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  /** Thrown with a sentence saying what is wrong with the address. */
  public static final class InvalidTarget extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    InvalidTarget(String reason) {
      super(reason);
    }
  }

  /** Parses and checks {@code candidate}; throws {@link InvalidTarget} saying why it is refused. */
  public static TargetAddress parse(String candidate) {
    if (candidate == null || candidate.isEmpty()) {
      throw new InvalidTarget("the target address is missing");
    }
    for (int i = 0; i < candidate.length(); i++) {
      char c = candidate.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        throw new InvalidTarget("the target address contains a control character");
      }
      if (c > 0x7f) {
        throw new InvalidTarget(
            "the target address must be ASCII (write an international domain in its xn-- form)");
      }
      if (c == '<' || c == '>') {
        throw new InvalidTarget("the target address must not contain < or >");
      }
    }
    if (candidate.getBytes(StandardCharsets.US_ASCII).length > MAX_ADDRESS) {
      throw new InvalidTarget("the target address is longer than " + MAX_ADDRESS + " characters");
    }
    int at = splitPoint(candidate);
    String local = candidate.substring(0, at);
    String domain = candidate.substring(at + 1);
    checkLocalPart(local);
    checkDomain(domain);
    return new TargetAddress(local, domain);
  }

  /** True when {@code candidate} passes {@link #parse}. */
  public static boolean isValid(String candidate) {
    try {
      parse(candidate);
      return true;
    } catch (InvalidTarget e) {
      return false;
    }
  }

  /** The mailbox as it goes between the angle brackets of {@code RCPT TO}. */
  @Override
  public String toString() {
    return localPart + "@" + domain;
  }

  /** Index of the '@' that separates local part and domain: the first one outside a quoted local part. */
  private static int splitPoint(String address) {
    if (address.charAt(0) == '"') {
      for (int i = 1; i < address.length(); i++) {
        char c = address.charAt(i);
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          if (i + 1 < address.length() && address.charAt(i + 1) == '@') {
            return i + 1;
          }
          throw new InvalidTarget("the quoted local part must be followed by @ and a domain");
        }
      }
      throw new InvalidTarget("the quoted local part is not closed");
    }
    int at = address.indexOf('@');
    if (at < 0) {
      throw new InvalidTarget("the target address needs an @ and a domain");
    }
    return at;
  }

  private static void checkLocalPart(String local) {
    if (local.isEmpty()) {
      throw new InvalidTarget("the part before @ is empty");
    }
    if (local.length() > MAX_LOCAL_PART) {
      throw new InvalidTarget("the part before @ is longer than " + MAX_LOCAL_PART + " characters");
    }
    if (local.charAt(0) == '"') {
      checkQuoted(local);
    } else {
      checkDotString(local);
    }
  }

  /** RFC 5321 §4.1.2: Dot-string = Atom *("." Atom). */
  private static void checkDotString(String local) {
    if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
      throw new InvalidTarget("the part before @ must not start or end with a dot or have two dots in a row");
    }
    for (int i = 0; i < local.length(); i++) {
      char c = local.charAt(i);
      if (c == '.') {
        continue;
      }
      if (!isAtext(c)) {
        throw new InvalidTarget(c == ' '
            ? "the target address must not contain spaces"
            : "the part before @ contains '" + c + "', which needs quoting");
      }
    }
  }

  /** RFC 5321 §4.1.2: Quoted-string = DQUOTE *QcontentSMTP DQUOTE, refused when empty. */
  private static void checkQuoted(String local) {
    if (local.length() < 3 || local.charAt(local.length() - 1) != '"') {
      throw new InvalidTarget("the quoted part before @ is empty or not closed");
    }
    for (int i = 1; i < local.length() - 1; i++) {
      char c = local.charAt(i);
      if (c == '\\') {
        // quoted-pairSMTP = %d92 %d32-126; the escaped character was range-checked above.
        i++;
        if (i >= local.length() - 1) {
          throw new InvalidTarget("the quoted part before @ ends with a lone backslash");
        }
      } else if (c == '"') {
        throw new InvalidTarget("the quoted part before @ contains an unescaped quote");
      }
    }
  }

  private static void checkDomain(String domain) {
    if (domain.isEmpty()) {
      throw new InvalidTarget("the domain after @ is missing");
    }
    if (domain.startsWith("[")) {
      throw new InvalidTarget("the domain must be a name, not an address literal");
    }
    if (domain.length() > MAX_DOMAIN) {
      throw new InvalidTarget("the domain is longer than " + MAX_DOMAIN + " characters");
    }
    String[] labels = domain.split("\\.", -1);
    if (labels.length < 2) {
      throw new InvalidTarget("the domain needs at least one dot (like example.org)");
    }
    for (String label : labels) {
      checkLabel(label);
    }
    if (labels[labels.length - 1].chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      throw new InvalidTarget("the domain's last part must not be all digits");
    }
  }

  /** RFC 5321 §4.1.2: sub-domain = Let-dig [Ldh-str]; RFC 1035 §2.3.4: at most 63 octets. */
  private static void checkLabel(String label) {
    if (label.isEmpty()) {
      throw new InvalidTarget("the domain has an empty part (two dots in a row, or a dot at an end)");
    }
    if (label.length() > MAX_LABEL) {
      throw new InvalidTarget("a part of the domain is longer than " + MAX_LABEL + " characters");
    }
    for (int i = 0; i < label.length(); i++) {
      char c = label.charAt(i);
      boolean letDig = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!letDig && c != '-') {
        throw new InvalidTarget(c == ' '
            ? "the target address must not contain spaces"
            : "the domain may only contain letters, digits, hyphens and dots");
      }
    }
    if (label.startsWith("-") || label.endsWith("-")) {
      throw new InvalidTarget("a part of the domain starts or ends with a hyphen");
    }
  }

  private static boolean isAtext(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || ATEXT_SPECIALS.indexOf(c) >= 0;
  }
}
