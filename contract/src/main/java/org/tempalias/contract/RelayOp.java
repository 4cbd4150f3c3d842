package org.tempalias.contract;

/**
 * The steps a gateway sends to a relay transaction address, named in the {@link #HEADER} header.
 * Order: RCPT (one or more), DATA, CHUNK (zero or more), END; ABORT at any point.
 *
 * <ul>
 *   <li>RCPT: body {@link RelayRcpt} -> {@link SmtpReply} (the smarthost's reply to RCPT TO)</li>
 *   <li>DATA: empty JSON object -> {@link SmtpReply} (354 when the smarthost is ready)</li>
 *   <li>CHUNK: body a Buffer of message bytes, header {@link #SEQ_HEADER} = 0, 1, 2...; reply an
 *       empty JSON object once the chunk was handed to the smarthost socket (the acknowledgement
 *       that opens the window again). The bytes are SMTP DATA content exactly as it goes on the
 *       wire: CRLF line endings, dot-stuffed, starting with the gateway's Received header, ending
 *       with CRLF, without the final ".CRLF". The relay writes them through unchanged.</li>
 *   <li>END: empty JSON object -> {@link SmtpReply} (the smarthost's reply to the final dot).
 *       Only END makes the relay send the final dot: a transaction that ends any other way is
 *       never delivered.</li>
 *   <li>ABORT: empty JSON object -> empty JSON object. The relay drops the upstream transaction
 *       (RSET or close) and forgets the address. A relay also aborts on its own when it hears
 *       nothing from the gateway for its idle timeout.</li>
 * </ul>
 * A step that fails on the relay's side (upstream lost, timeout) is answered with an
 * {@link SmtpReply} carrying a 4xx code, not with an event-bus failure; an event-bus failure
 * (timeout, no handler) means the relay instance is gone and the gateway answers 451 4.4.x.
 */
public enum RelayOp {
  RCPT, DATA, CHUNK, END, ABORT;

  public static final String HEADER = "op";
  public static final String SEQ_HEADER = "seq";
}
