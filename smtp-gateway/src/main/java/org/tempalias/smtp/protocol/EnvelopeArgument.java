package org.tempalias.smtp.protocol;

import org.tempalias.contract.SmtpReply;

/**
 * The argument of MAIL or RCPT, parsed and checked without I/O: the path and parameters, or the
 * reply that refuses the command. A {@link #syntaxError()} counts as a bad command; a
 * {@link #refusal()} is a well-formed command refused by policy (RFC 1870 §6.1, RFC 6531 §3.4).
 */
public record EnvelopeArgument(MailPath path, MailParameters params, SmtpReply syntaxError, SmtpReply refusal) {

  /** {@code FROM:<path> params} of MAIL. */
  public static EnvelopeArgument sender(String argument, long maxMessageBytes) {
    PathParser.Parsed parsed;
    try {
      parsed = PathParser.parse(argument, "FROM", true);
    } catch (PathParser.SyntaxException e) {
      return error(e instanceof PathParser.ParameterException ? Replies.BAD_PARAMETER : Replies.BAD_SENDER_SYNTAX);
    }
    MailPath from = parsed.path();
    if (!from.quoted() && from.localPart().indexOf('@') >= 0) {
      // a@b@c.example is no mailbox (RFC 5321 §4.1.2); it must not reach the smarthost's MAIL.
      return error(Replies.BAD_SENDER_SYNTAX);
    }
    MailParameters params;
    try {
      params = MailParameters.of(parsed.parameters());
    } catch (IllegalArgumentException e) {
      return error(Replies.BAD_PARAMETER);
    }
    SmtpReply refusal = from.nonAscii() && !params.smtputf8() ? Replies.NEEDS_SMTPUTF8
        // RFC 1870 §6.1: a declared size over the fixed limit is a permanent refusal.
        : params.size() > maxMessageBytes ? Replies.SIZE_EXCEEDED : null;
    return new EnvelopeArgument(from, params, null, refusal);
  }

  /** {@code TO:<path>} of RCPT; we support no recipient parameters (RFC 5321 §4.1.1.3). */
  public static EnvelopeArgument recipient(String argument) {
    PathParser.Parsed parsed;
    try {
      parsed = PathParser.parse(argument, "TO", false);
    } catch (PathParser.SyntaxException e) {
      return error(e instanceof PathParser.ParameterException ? Replies.BAD_PARAMETER : Replies.BAD_RECIPIENT_SYNTAX);
    }
    if (!parsed.parameters().isEmpty()) {
      return error(Replies.BAD_PARAMETER);
    }
    return new EnvelopeArgument(parsed.path(), MailParameters.NONE, null, null);
  }

  private static EnvelopeArgument error(SmtpReply reply) {
    return new EnvelopeArgument(null, null, reply, null);
  }
}
