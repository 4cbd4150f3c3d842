package org.tempalias.contract;

/**
 * The steps a gateway sends to a relay transaction address, named in the {@link #HEADER} header.
 * Order: RCPT (one or more), DATA, CHUNK (zero or more), END; ABORT and PING at any point.
 *
 * <p>The transaction address is {@link RelayAddress#TRANSACTION_PREFIX} followed by
 * {@link RelayOpen#transactionId()}: the relay instance that receives OPEN registers it at once,
 * before any upstream work, so the gateway knows it before the OPEN reply (and can PING it while
 * OPEN is still waiting for the smarthost). The gateway must therefore use a transaction id that
 * is unique across the cluster (a fresh random id of about 128 bits per OPEN) and made of
 * {@code [A-Za-z0-9._-]} (at most 128 characters); the relay answers any other id, or one it
 * already holds, with 451 4.3.0 and registers nothing. If the reply to OPEN is not positive the
 * relay has unregistered the address again. {@link RelayOpened#address()} equals the predictable
 * address.
 *
 * <ul>
 *   <li>RCPT: body {@link RelayRcpt} -> {@link SmtpReply} (the smarthost's reply to RCPT TO)</li>
 *   <li>DATA: empty JSON object -> {@link SmtpReply} (354 when the smarthost is ready)</li>
 *   <li>CHUNK: body a Buffer of message bytes, header {@link #SEQ_HEADER} = 0, 1, 2...; reply an
 *       empty JSON object once the chunk was handed to the smarthost socket (the acknowledgement
 *       that opens the window again). The bytes are SMTP DATA content exactly as it goes on the
 *       wire: CRLF line endings, dot-stuffed, starting with the gateway's Received header, ending
 *       with CRLF, without the final ".CRLF". The relay writes them through unchanged.</li>
 *   <li>END: body a Buffer, the data's last bytes as a CHUNK would carry them (possibly empty; an
 *       empty JSON object is taken as none; only to a relay whose {@link RelayOpened} said
 *       {@code endTakesData}) -> {@link FinalReply} (the smarthost's reply to the
 *       final dot, written right behind those bytes, and
 *       whether the outcome is known: false when the dot went out but no reply came back). Only
 *       END makes the relay send the final dot: a transaction that ends any other way is never
 *       delivered.</li>
 *   <li>ABORT: empty JSON object -> empty JSON object. The relay drops the upstream transaction
 *       (RSET or close) and forgets the address. A relay also aborts on its own when it hears
 *       nothing from the gateway for its idle timeout. An ABORT that arrives while OPEN is still
 *       waiting upstream (the gateway gave up on it) drops the transaction as soon as MAIL FROM is
 *       answered; that OPEN is then answered 451 without an address.</li>
 *   <li>PING: empty JSON object -> empty JSON object, answered at once, also while another step
 *       (or OPEN itself) is waiting for the smarthost; like ABORT it does not wait its turn. It
 *       tells the gateway that the instance holding the transaction is alive, so a step that
 *       takes minutes (RFC 5321 §4.5.3.2 allows 10 minutes for the final reply) is waited for,
 *       while a failed PING (no handler, timeout) means the instance is gone. PING is not
 *       activity for the relay's idle timeout: only steps are.</li>
 * </ul>
 * A step that fails on the relay's side (upstream lost, timeout) is answered with an
 * {@link SmtpReply} carrying a 4xx code, not with an event-bus failure; an event-bus failure
 * (timeout, no handler) means the relay instance is gone and the gateway answers 451 4.4.x.
 */
public enum RelayOp {
  RCPT, DATA, CHUNK, END, ABORT, PING;

  public static final String HEADER = "op";
  public static final String SEQ_HEADER = "seq";
}
