package org.tempalias.contract;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The key a client is counted under by every per-client limit (connections, transactions,
 * creations): an IPv4 address as it is, an IPv6 address as its /64 — one host usually holds a
 * whole /64, so counting single IPv6 addresses would count nothing.
 */
public final class ClientKey {
  private ClientKey() {}

  /** @param ip an address literal (never looked up); anything else is returned as given */
  public static String of(String ip) {
    if (ip == null || ip.indexOf(':') < 0) {
      return ip;
    }
    try {
      InetAddress address = InetAddress.getByName(ip); // a literal: no lookup
      if (address instanceof Inet6Address) {
        byte[] b = address.getAddress();
        StringBuilder key = new StringBuilder(24);
        for (int i = 0; i < 8; i += 2) {
          key.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
        }
        return key.append(":/64").toString();
      }
      return address.getHostAddress(); // an IPv4-mapped address
    } catch (UnknownHostException e) {
      return ip;
    }
  }
}
