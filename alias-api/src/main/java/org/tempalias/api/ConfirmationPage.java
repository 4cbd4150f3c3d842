package org.tempalias.api;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import org.tempalias.contract.Confirmation;
import org.tempalias.contract.IssuedToken;

/**
 * The pages behind a confirmation link. GET only shows what was asked and two buttons (mail
 * scanners fetch every link, so a GET must change nothing); the buttons POST the decision.
 */
final class ConfirmationPage {
  private static final DateTimeFormatter WHEN =
      DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm 'UTC'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private ConfirmationPage() {}

  /** The question, or where it stands when it was answered already. */
  static String ask(Confirmation c, String token, String domain) {
    String address = c.aid() + "@" + domain;
    StringBuilder body = new StringBuilder()
        .append("<h1>An alias forwards to you</h1>")
        .append("<p>On ").append(Html.escape(WHEN.format(Instant.ofEpochMilli(c.requestedAtMillis()))))
        .append(" someone made <strong class=\"address\">").append(Html.escape(address))
        .append("</strong>, which forwards to the address this link was sent to (")
        .append(Html.escape(ConfirmationMail.limits(c.expiresAtMillis(), c.maxUsage()))).append(").</p>");
    if (c.waitingAliases() > 1) {
      body.append("<p>").append(c.waitingAliases()).append(" aliases for you are waiting for your answer.</p>");
    }
    body.append(state(c.state()))
        .append("<form method=\"post\" action=\"/confirm/").append(Html.escape(token)).append("\">")
        .append("<p class=\"choices\">")
        .append("<button type=\"submit\" name=\"action\" value=\"confirm\" class=\"primary\">")
        .append(c.state() == Confirmation.State.CONFIRMED ? "Confirm again" : "Yes, forward mail to me")
        .append("</button> ")
        .append("<button type=\"submit\" name=\"action\" value=\"block\" class=\"danger\">")
        .append("No, never send me aliases</button></p></form>")
        .append("<p class=\"hint\">Confirming lets this alias and later aliases for you forward mail for a year. "
            + "Blocking deletes the aliases waiting for you and refuses new ones. This link works until ")
        .append(Html.escape(WHEN.format(Instant.ofEpochMilli(c.linkExpiresAtMillis())))).append(".</p>");
    return page("Do you want this alias?", body.toString());
  }

  /** After the button. */
  static String decided(Confirmation c, String token) {
    String body = c.state() == Confirmation.State.CONFIRMED
        ? "<h1>Confirmed</h1><p>Mail to your aliases reaches you now; mail sent while you decided arrives as "
            + "its senders try again.</p>"
            + "<h2>Use it from a password manager</h2>"
            + "<p>Bitwarden and similar password managers can make an alias for you whenever you sign up "
            + "somewhere. They need an API token, which you can get here once.</p>"
            + "<form method=\"post\" action=\"/confirm/" + Html.escape(token) + "\">"
            + "<p><button type=\"submit\" name=\"action\" value=\"token\">Get an API token</button></p></form>"
        : "<h1>Blocked</h1><p>No alias will forward to you. The aliases that waited for you are deleted.</p>"
            + "<p>Changed your mind? Until this link expires you can still "
            + "<a href=\"/confirm/" + Html.escape(token) + "\">confirm instead</a>; after that, ask the "
            + "operator of this service (postmaster) to lift the block.</p>";
    return page(c.state() == Confirmation.State.CONFIRMED ? "Confirmed" : "Blocked", body);
  }

  /** The token, shown this once, with what to enter where. */
  static String token(IssuedToken issued, String server, String domain) {
    String body = "<h1>Your API token</h1>"
        + "<p>Copy it now: it is shown only this once (we keep only a hash of it).</p>"
        + "<p><code class=\"token\" id=\"api-token\">" + Html.escape(issued.token()) + "</code></p>"
        + "<p>Each alias made with it forwards to you " + Html.escape(tokenLimits(issued)) + ".</p>"
        + "<h2>In Bitwarden</h2><ol>"
        + "<li>Generator → Username → Forwarded email alias.</li>"
        + "<li>Service: <strong>addy.io</strong>. Email domain: <strong>" + Html.escape(domain) + "</strong>.</li>"
        + "<li>Self-host server URL: <strong>" + Html.escape(server) + "</strong>.</li>"
        + "<li>API access token: the token above.</li></ol>"
        + "<p class=\"hint\">SimpleLogin works too, with the same server URL and token. To revoke the token, send "
        + "<code>DELETE " + Html.escape(server) + "/api/v1/token</code> with it; aliases made with it keep working "
        + "until their limits.</p>";
    return page("Your API token", body);
  }

  /** "for 30 days", "for at most 10 messages", or both. */
  static String tokenLimits(IssuedToken issued) {
    long days = issued.lifetimeMillis() / 86_400_000L;
    String time = days > 0 ? "for " + days + (days == 1 ? " day" : " days") : null;
    String uses = issued.maxUsage() > 0
        ? "for at most " + issued.maxUsage() + (issued.maxUsage() == 1 ? " message" : " messages") : null;
    return time != null && uses != null ? time + " or " + uses.substring(4) + ", whichever comes first"
        : time != null ? time : uses;
  }

  static String tokenGiven() {
    return page("Token already given", "<h1>This link gave its token already</h1><p>A confirmation link gives "
        + "one API token, so that reloading the page or a link that leaked later cannot make more. For another "
        + "token, press <strong>API token</strong> beside one of your aliases on the web page.</p>");
  }

  static String tryLater(String why) {
    return page("Try again later", "<h1>Not just now</h1><p>" + Html.escape(why) + ". Nothing was changed; "
        + "please try again in a few minutes.</p>");
  }

  static String confirmFirst() {
    return page("Confirm first", "<h1>Confirm first</h1><p>An API token makes aliases that forward to you, so "
        + "it is only given once you have confirmed. Go back and confirm, then ask for the token.</p>");
  }

  static String notFound() {
    return page("Link not found", "<h1>This link is not valid</h1><p>It may have expired: an alias that is not "
        + "confirmed within a few days is deleted, and its link with it. Nothing was forwarded to you.</p>");
  }

  private static String state(Confirmation.State state) {
    return switch (state) {
      case PENDING -> "<p class=\"state pending\">Not answered yet: nothing is forwarded to you.</p>";
      case CONFIRMED -> "<p class=\"state ok\">You confirmed: mail to your aliases reaches you.</p>";
      case BLOCKED -> "<p class=\"state blocked\">You blocked aliases: nothing is forwarded to you.</p>";
    };
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<meta name=\"referrer\" content=\"no-referrer\">"
        + "<title>" + Html.escape(title) + " · tempalias</title>"
        + "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">"
        + "<link rel=\"stylesheet\" href=\"/confirm.css\"></head>"
        + "<body><main>" + body + "</main></body></html>";
  }
}
