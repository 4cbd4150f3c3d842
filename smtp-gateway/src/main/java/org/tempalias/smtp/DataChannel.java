package org.tempalias.smtp;

import io.vertx.core.buffer.Buffer;
import java.util.function.Consumer;
import org.tempalias.contract.SmtpReply;

/**
 * The data half of a relay transaction, as the DATA phase sees it: chunks go out, at most
 * {@code windowChunks} unacknowledged. Whether and when the message is finished or dropped is
 * not the stream's to decide: that is {@link Transaction}'s.
 */
interface DataChannel {
  /** Sends one chunk of wire-format data; the caller stops reading while {@link #windowFull()}. */
  void chunk(Buffer bytes);

  boolean windowFull();

  /** Runs whenever an acknowledgement made room in the window. */
  void onWindowOpen(Runnable handler);

  /** Runs once when the relay stopped taking chunks; the reply is what the client will get. */
  void onLost(Consumer<SmtpReply> handler);
}
