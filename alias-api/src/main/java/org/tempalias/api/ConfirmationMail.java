package org.tempalias.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.tempalias.contract.CreatedAlias;
import org.tempalias.contract.ServiceMail;

/**
 * The mail that asks a target whether it wants aliases: what was asked (when, the alias's limits;
 * never who asked or from where), the link, and what each answer does. Plain text and HTML.
 */
final class ConfirmationMail {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private ConfirmationMail() {}

  static ServiceMail of(CreatedAlias alias, String address, String from, String publicUrl) {
    String link = publicUrl + "/confirm/" + alias.confirmToken();
    String when = WHEN.format(Instant.ofEpochMilli(alias.createdAtMillis()));
    String limits = limits(alias);
    String subject = "Someone made an alias that forwards to you: " + address;
    String text = String.join("\n",
        "Hello,",
        "",
        "On " + when + " someone made the address " + address,
        "which forwards mail to this address (" + limits + ").",
        "",
        "Nothing is forwarded to you until you say so. To decide, open:",
        "",
        "  " + link,
        "",
        "There you can confirm (mail to this and later aliases for you reaches you)",
        "or block (no alias can forward to you again; the ones waiting are deleted).",
        "If you do nothing, the alias is gone in a few days and nothing reaches you.",
        "",
        "-- ",
        "tempalias, self-destructing email aliases. This message was sent automatically.",
        "");
    String html = "<!doctype html><html><body style=\"font-family:sans-serif;line-height:1.5\">"
        + "<p>Hello,</p>"
        + "<p>On " + Html.escape(when) + " someone made the address <strong>" + Html.escape(address)
        + "</strong>, which forwards mail to this address (" + Html.escape(limits) + ").</p>"
        + "<p>Nothing is forwarded to you until you say so.</p>"
        + "<p><a href=\"" + Html.escape(link) + "\">Decide whether you want this alias</a></p>"
        + "<p>There you can <em>confirm</em> (mail to this and later aliases for you reaches you) or "
        + "<em>block</em> (no alias can forward to you again; the ones waiting are deleted). If you do "
        + "nothing, the alias is gone in a few days and nothing reaches you.</p>"
        + "<p style=\"color:#4a5261\">tempalias, self-destructing email aliases. This message was sent automatically.</p>"
        + "</body></html>";
    return new ServiceMail(from, alias.target(), subject, text, html);
  }

  static String limits(CreatedAlias alias) {
    return limits(alias.expiresAtMillis(), alias.maxUsage());
  }

  static String limits(long expiresAtMillis, int maxUsage) {
    String uses = maxUsage > 0 ? "at most " + maxUsage + (maxUsage == 1 ? " message" : " messages") : null;
    String until = expiresAtMillis > 0 ? "until " + WHEN.format(Instant.ofEpochMilli(expiresAtMillis)) : null;
    return uses != null && until != null ? uses + ", " + until : uses != null ? uses : until;
  }
}
