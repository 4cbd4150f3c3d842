package org.tempalias.smtp.protocol;

import org.tempalias.contract.SmtpReply;

/** The gateway's own replies (RFC 5321 §4.2, enhanced codes from RFC 3463). */
public final class Replies {
  public static final SmtpReply OK = SmtpReply.of(250, "2.0.0", "Ok");
  public static final SmtpReply SENDER_OK = SmtpReply.of(250, "2.1.0", "Sender ok");
  public static final SmtpReply RECIPIENT_OK = SmtpReply.of(250, "2.1.5", "Recipient ok");
  public static final SmtpReply RESET_OK = SmtpReply.of(250, "2.0.0", "Reset ok");
  public static final SmtpReply VRFY = SmtpReply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
  public static final SmtpReply HELP = SmtpReply.of(214, "2.0.0",
      "Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS\nSee RFC 5321");
  public static final SmtpReply START_DATA = SmtpReply.of(354, null, "End data with <CR><LF>.<CR><LF>");
  public static final SmtpReply READY_TLS = SmtpReply.of(220, "2.0.0", "Ready to start TLS");

  public static final SmtpReply UNRECOGNIZED = SmtpReply.of(500, "5.5.1", "Command unrecognized");
  public static final SmtpReply NOT_IMPLEMENTED = SmtpReply.of(502, "5.5.1", "Command not implemented");
  public static final SmtpReply LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Line too long");
  public static final SmtpReply BARE_LF_COMMAND = SmtpReply.of(500, "5.5.2", "Command lines must end with <CR><LF>");
  public static final SmtpReply BAD_SEQUENCE = SmtpReply.of(503, "5.5.1", "Bad sequence of commands");
  public static final SmtpReply SEND_HELO_FIRST = SmtpReply.of(503, "5.5.1", "Send EHLO/HELO first");
  public static final SmtpReply NESTED_MAIL = SmtpReply.of(503, "5.5.1", "Nested MAIL command");
  public static final SmtpReply NEED_MAIL = SmtpReply.of(503, "5.5.1", "Need MAIL command first");
  public static final SmtpReply ALREADY_TLS = SmtpReply.of(503, "5.5.1", "TLS already active");
  public static final SmtpReply NO_VALID_RECIPIENTS = SmtpReply.of(554, "5.5.1", "No valid recipients");
  public static final SmtpReply SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax error in parameters or arguments");
  public static final SmtpReply HELO_SYNTAX = SmtpReply.of(501, "5.5.4", "Syntax: EHLO/HELO hostname");
  public static final SmtpReply NO_ARGUMENTS = SmtpReply.of(501, "5.5.4", "No arguments allowed");
  public static final SmtpReply BAD_SENDER_SYNTAX = SmtpReply.of(501, "5.1.7", "Bad sender address syntax");
  public static final SmtpReply BAD_RECIPIENT_SYNTAX = SmtpReply.of(501, "5.1.3", "Bad recipient address syntax");
  public static final SmtpReply BAD_PARAMETER = SmtpReply.of(555, "5.5.4", "Unsupported or malformed parameter");
  public static final SmtpReply NEEDS_SMTPUTF8 = SmtpReply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");

  public static final SmtpReply RELAY_DENIED = SmtpReply.of(550, "5.7.1", "Relay access denied");
  public static final SmtpReply NO_SUCH_ALIAS = SmtpReply.of(550, "5.1.1", "No such alias (unknown, expired or used up)");
  public static final SmtpReply ALIAS_UNCONFIRMED = SmtpReply.of(451, "4.7.1",
      "Alias waits for its owner to confirm it, try again later");
  /** RFC 3463 §3.8: X.7.1 "delivery not authorized, message refused": the alias's sender lock. */
  public static final SmtpReply SENDER_NOT_ALLOWED = SmtpReply.of(550, "5.7.1",
      "This alias does not accept mail from this sender");
  public static final SmtpReply ALIAS_BUSY = SmtpReply.of(451, "4.2.1", "Alias busy, try again later");
  public static final SmtpReply STORE_UNAVAILABLE = SmtpReply.of(451, "4.3.0", "Temporary lookup failure, try again later");
  public static final SmtpReply RELAY_UNAVAILABLE = SmtpReply.of(451, "4.4.1", "Relay not available, try again later");
  public static final SmtpReply RELAY_LOST = SmtpReply.of(451, "4.4.2", "Connection to relay lost, try again later");
  public static final SmtpReply TOO_MANY_TRANSACTIONS = SmtpReply.of(451, "4.7.0",
      "Too many deliveries in progress from your address, try again later");
  public static final SmtpReply ALIAS_GONE = SmtpReply.of(550, "5.1.1",
      "Alias expired, used up or deleted during the transaction");
  public static final SmtpReply ALIAS_CHANGED = SmtpReply.of(451, "4.3.0",
      "Alias changed during the transaction, try again");
  public static final SmtpReply TARGET_IS_OURS = SmtpReply.of(550, "5.4.6",
      "Alias forwards to one of our own domains: mail loop");
  public static final SmtpReply BAD_BOUNCE_ADDRESS = SmtpReply.of(550, "5.1.1",
      "Invalid bounce address: not one this service wrote");
  public static final SmtpReply TOO_MANY_RECIPIENTS = SmtpReply.of(452, "4.5.3", "Too many recipients");
  public static final SmtpReply SIZE_EXCEEDED = SmtpReply.of(552, "5.3.4", "Message size exceeds fixed limit");
  public static final SmtpReply BARE_CR_LF = SmtpReply.of(550, "5.6.0",
      "Message contains bare <CR> or <LF> (RFC 5321 §2.3.8), refused");
  public static final SmtpReply DATA_LINE_TOO_LONG = SmtpReply.of(500, "5.5.2", "Message line too long");
  public static final SmtpReply MAIL_LOOP = SmtpReply.of(554, "5.4.6", "Too many Received headers: mail loop");

  public static final SmtpReply TOO_MANY_CONNECTIONS = SmtpReply.of(421, "4.3.2", "Too many connections, try again later");
  public static final SmtpReply TOO_MANY_FROM_IP = SmtpReply.of(421, "4.7.0", "Too many connections from your address");
  public static final SmtpReply TOO_MANY_ERRORS = SmtpReply.of(421, "4.7.0", "Too many errors, closing connection");
  public static final SmtpReply TOO_MANY_JUNK = SmtpReply.of(421, "4.7.0", "Too many NOOP/RSET/VRFY/HELP, closing connection");
  public static final SmtpReply TRANSACTION_TOO_LONG = SmtpReply.of(421, "4.4.2", "Transaction took too long, closing connection");
  public static final SmtpReply IDLE_TIMEOUT = SmtpReply.of(421, "4.4.2", "Idle timeout, closing connection");
  public static final SmtpReply SHUTTING_DOWN = SmtpReply.of(421, "4.3.2", "Service shutting down, closing connection");

  private Replies() {}

  /** RFC 3463 X.1.1: an SRS address past its maximum age has no mailbox any more. */
  public static SmtpReply bounceAddressExpired(int maxAgeDays) {
    return SmtpReply.of(550, "5.1.1", "Bounce address expired: it is more than " + maxAgeDays + " days old");
  }

  public static SmtpReply greeting(String hostname) {
    return SmtpReply.of(220, null, hostname + " ESMTP tempalias");
  }

  public static SmtpReply bye(String hostname) {
    return SmtpReply.of(221, "2.0.0", hostname + " closing connection");
  }

  /** RFC 5321 §4.1.1.1 with the extensions we offer; STARTTLS only outside TLS and with a certificate. */
  public static SmtpReply ehlo(String hostname, String clientName, long maxMessageBytes, boolean offerStartTls) {
    StringBuilder text = new StringBuilder(hostname).append(" greets ").append(clientName)
        .append("\nPIPELINING\nSIZE ").append(maxMessageBytes)
        .append("\n8BITMIME\nENHANCEDSTATUSCODES\nSMTPUTF8");
    if (offerStartTls) {
      text.append("\nSTARTTLS");
    }
    return SmtpReply.of(250, null, text.toString());
  }

  public static SmtpReply helo(String hostname, String clientName) {
    return SmtpReply.of(250, null, hostname + " greets " + clientName);
  }
}
