package org.tempalias.smtp.protocol;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * Byte search in a Vert.x buffer. {@link Buffer#getByte} checks bounds and the reference count on
 * every call; every byte of a message is searched at least twice (for its LF, then for a bare CR),
 * so the search goes to Netty's, which reads eight bytes at a time.
 */
public final class Bytes {
  private Bytes() {}

  /** A Netty view of the buffer's bytes with the same indexes, or null when there is none. */
  public static ByteBuf view(Buffer buffer) {
    if (buffer instanceof BufferInternal internal) {
      ByteBuf bytes = internal.getByteBuf();
      // The view starts at the buffer's index 0 whenever it covers exactly its bytes.
      if (bytes.readerIndex() == 0 && bytes.readableBytes() == buffer.length()) {
        return bytes;
      }
    }
    return null;
  }

  /** The first index in [from, to) of {@code buffer} holding {@code value}, or -1. */
  public static int indexOf(Buffer buffer, int from, int to, byte value) {
    return from >= to ? -1 : indexOf(view(buffer), buffer, from, to, value);
  }

  /** As {@link #indexOf(Buffer, int, int, byte)}, with the buffer's {@link #view} (may be null). */
  public static int indexOf(ByteBuf view, Buffer buffer, int from, int to, byte value) {
    if (from >= to) {
      return -1;
    }
    if (view != null) {
      return view.indexOf(from, to, value);
    }
    for (int i = from; i < to; i++) {
      if (buffer.getByte(i) == value) {
        return i;
      }
    }
    return -1;
  }
}
