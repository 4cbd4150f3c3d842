package org.tempalias.smtp.protocol;

import java.util.Locale;

/**
 * A reverse- or forward-path of MAIL FROM / RCPT TO (RFC 5321 §4.1.2), parsed but not judged:
 * the flags record the forms an open-relay check must refuse.
 *
 * @param localPart      the local part, unquoted and unescaped when it was a quoted string
 * @param domain         the domain or address literal (with brackets), null for the null path or a
 *                       bare local part such as {@code <postmaster>}
 * @param raw            the mailbox as the client wrote it, without brackets and source route
 * @param quoted         the local part was a quoted string
 * @param addressLiteral the domain is an address literal such as {@code [192.0.2.1]}
 * @param sourceRoute    the path carried an RFC 821 source route ({@code <@a,@b:user@c>})
 * @param nonAscii       the mailbox contains non-ASCII characters (needs SMTPUTF8, RFC 6531)
 */
public record MailPath(
    String localPart,
    String domain,
    String raw,
    boolean quoted,
    boolean addressLiteral,
    boolean sourceRoute,
    boolean nonAscii) {

  public static final MailPath NULL = new MailPath("", null, "", false, false, false, false);

  public boolean isNull() {
    return raw.isEmpty();
  }

  /**
   * True when the local part would route mail onwards on some hosts: the percent hack
   * ({@code a%b@us}), bang paths ({@code b!a@us}) or a second {@code @} ({@code a@b@us}).
   */
  public boolean hasRoutingCharacters() {
    return localPart.indexOf('%') >= 0 || localPart.indexOf('!') >= 0 || localPart.indexOf('@') >= 0;
  }

  public String domainLowerCase() {
    return domain == null ? null : domain.toLowerCase(Locale.ROOT);
  }
}
