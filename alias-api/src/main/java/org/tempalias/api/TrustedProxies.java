package org.tempalias.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The proxies whose {@code X-Forwarded-For} header we believe, and the client address that follows
 * from it. Anybody can send that header, so it only counts when the socket peer is one of ours;
 * then each trusted hop vouches for the address to its left, and the client is the right-most
 * address that is not a trusted proxy (what nginx calls {@code real_ip_recursive}).
 *
 * <p>Pure and free of DNS: only IP literals are parsed, never host names.
 */
public final class TrustedProxies {
  private static final Pattern IPV4 =
      Pattern.compile("([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})\\.([0-9]{1,3})");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private record Block(byte[] network, int prefix) {
    boolean contains(byte[] address) {
      if (address.length != network.length) {
        return false;
      }
      int full = prefix / 8;
      for (int i = 0; i < full; i++) {
        if (address[i] != network[i]) {
          return false;
        }
      }
      int rest = prefix % 8;
      if (rest == 0) {
        return true;
      }
      int mask = (0xff << (8 - rest)) & 0xff;
      return (address[full] & mask) == (network[full] & mask);
    }
  }

  private final List<Block> blocks;

  private TrustedProxies(List<Block> blocks) {
    this.blocks = List.copyOf(blocks);
  }

  public static TrustedProxies none() {
    return new TrustedProxies(List.of());
  }

  /** Parses IP addresses and CIDR blocks ({@code 10.0.0.0/8}, {@code fd00::/8}); throws on anything else. */
  public static TrustedProxies parse(List<String> entries) {
    List<Block> blocks = new ArrayList<>();
    for (String entry : entries) {
      String text = entry.trim();
      int slash = text.indexOf('/');
      String ip = slash < 0 ? text : text.substring(0, slash);
      InetAddress address = parseIp(ip);
      if (address == null) {
        throw new IllegalArgumentException("not an IP address or CIDR block: '" + entry + "'");
      }
      byte[] bytes = address.getAddress();
      int max = bytes.length * 8;
      int prefix = max;
      if (slash >= 0) {
        String bits = text.substring(slash + 1);
        if (!bits.matches("[0-9]{1,3}") || Integer.parseInt(bits) > max) {
          throw new IllegalArgumentException("bad prefix length in '" + entry + "'");
        }
        prefix = Integer.parseInt(bits);
      }
      blocks.add(new Block(bytes, prefix));
    }
    return new TrustedProxies(blocks);
  }

  public boolean isEmpty() {
    return blocks.isEmpty();
  }

  public boolean isTrusted(InetAddress address) {
    byte[] bytes = address.getAddress();
    for (Block block : blocks) {
      if (block.contains(bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The client address for a request.
   *
   * @param peer         the socket's remote address
   * @param forwardedFor every {@code X-Forwarded-For} header value, in the order received
   * @return the client address in canonical text form
   */
  public String clientAddress(String peer, List<String> forwardedFor) {
    InetAddress current = parseIp(stripZone(peer));
    if (current == null) {
      return peer;
    }
    if (!isTrusted(current) || forwardedFor == null || forwardedFor.isEmpty()) {
      return current.getHostAddress();
    }
    List<String> hops = new ArrayList<>();
    for (String header : forwardedFor) {
      for (String hop : header.split(",")) {
        if (!hop.isBlank()) {
          hops.add(hop.trim());
        }
      }
    }
    for (int i = hops.size() - 1; i >= 0; i--) {
      InetAddress hop = parseHop(hops.get(i));
      if (hop == null) {
        // A trusted proxy wrote something we cannot read: the last address we could vouch for
        // is as far as the chain goes.
        return current.getHostAddress();
      }
      current = hop;
      if (!isTrusted(current)) {
        return current.getHostAddress();
      }
    }
    return current.getHostAddress();
  }

  /** An X-Forwarded-For entry: an IP, optionally with a port ({@code 1.2.3.4:5}, {@code [::1]:5}). */
  static InetAddress parseHop(String hop) {
    String text = hop;
    if (text.startsWith("[")) {
      int close = text.indexOf(']');
      if (close < 0) {
        return null;
      }
      text = text.substring(1, close);
    } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':') && text.contains(".")) {
      text = text.substring(0, text.indexOf(':'));
    }
    return parseIp(text);
  }

  /** An IPv4 or IPv6 literal, or null. Never resolves a name. */
  static InetAddress parseIp(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    Matcher v4 = IPV4.matcher(text);
    if (v4.matches()) {
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(v4.group(i + 1));
        if (octet > 255) {
          return null;
        }
        bytes[i] = (byte) octet;
      }
      try {
        return InetAddress.getByAddress(bytes);
      } catch (UnknownHostException e) {
        return null;
      }
    }
    if (text.indexOf(':') < 0 || !IPV6_CHARS.matcher(text).matches()) {
      return null;
    }
    try {
      // With a ':' in it, InetAddress only ever parses a literal (no lookup).
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static String stripZone(String address) {
    if (address == null) {
      return null;
    }
    int percent = address.indexOf('%');
    return percent < 0 ? address : address.substring(0, percent);
  }
}
