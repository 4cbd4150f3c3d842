package org.tempalias.relay;

import io.vertx.core.buffer.Buffer;

/**
 * Watches the message bytes for what the next hop must be able to take: any 8-bit byte (needs
 * 8BITMIME, RFC 6152 §3), and any 8-bit byte in the header section (UTF-8 headers need SMTPUTF8,
 * RFC 6532 §3 / RFC 6531 §3.2). The header section ends at the first empty line. Pure; fed the
 * chunks in order.
 */
final class ContentScan {
  private boolean inHeaders = true;
  /** The last two bytes seen: CR LF CR LF ends the header section (our Received line opens it). */
  private int last;
  private int beforeLast;
  private boolean eightBit;
  private boolean eightBitHeader;

  void feed(Buffer chunk) {
    int n = chunk.length();
    for (int i = 0; i < n; i++) {
      int b = chunk.getByte(i) & 0xff;
      if (b >= 0x80) {
        eightBit = true;
        if (inHeaders) {
          eightBitHeader = true;
        }
      }
      if (inHeaders && b == '\n' && last == '\r' && beforeLast == '\n') {
        inHeaders = false;
      }
      beforeLast = last;
      last = b;
    }
  }

  boolean eightBit() {
    return eightBit;
  }

  boolean eightBitHeader() {
    return eightBitHeader;
  }
}
