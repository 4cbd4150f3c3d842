package org.tempalias.smtp.protocol;

import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Byte search in a Vert.x buffer. {@link Buffer#getByte} checks bounds and the reference count on
 * every call, and every byte of a message is searched, so the searches read eight bytes at a time:
 * Netty's for one value (commands), ours for CR or LF (the bulk of DATA).
 */
public final class Bytes {
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;
  private static final long CRS = ONES * '\r';
  private static final long LFS = ONES * '\n';

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

  /**
   * The first index in [from, to) of {@code buffer} holding CR or LF, or -1: the one search the
   * bulk of DATA needs (every line end, and every bare CR or LF, is one of the two).
   */
  public static int indexOfLineBreak(ByteBuf view, Buffer buffer, int from, int to) {
    if (view != null && view.hasArray()) {
      int offset = view.arrayOffset();
      int found = indexOfLineBreak(view.array(), offset + from, offset + to);
      return found < 0 ? -1 : found - offset;
    }
    for (int i = from; i < to; i++) {
      byte b = buffer.getByte(i);
      if (b == '\r' || b == '\n') {
        return i;
      }
    }
    return -1;
  }

  /** Eight bytes at a time: a byte equal to CR or LF is a zero byte of {@code word ^ CRS} or {@code word ^ LFS}. */
  static int indexOfLineBreak(byte[] bytes, int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      long word = (long) LONGS.get(bytes, i);
      long hits = zeroBytes(word ^ CRS) | zeroBytes(word ^ LFS);
      if (hits != 0) {
        // Only bytes above the lowest zero byte can be false hits, so the lowest is exact.
        return i + (Long.numberOfTrailingZeros(hits) >>> 3);
      }
    }
    for (; i < to; i++) {
      if (bytes[i] == '\r' || bytes[i] == '\n') {
        return i;
      }
    }
    return -1;
  }

  private static long zeroBytes(long word) {
    return (word - ONES) & ~word & HIGHS;
  }
}
