package org.tempalias.contract;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP reply: a three-digit code, an RFC 3463 enhanced status code (may be null) and a text
 * that may span several lines ("\n" separated). Replies cross the event bus (relay -> gateway) so
 * that the smarthost's answer reaches the client unchanged.
 */
public record SmtpReply(int code, String enhanced, String text) {
  private static final String CODE = "code";
  private static final String ENHANCED = "enhanced";
  private static final String TEXT = "text";

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("SMTP reply code out of range: " + code);
    }
  }

  public static SmtpReply of(int code, String enhanced, String text) {
    return new SmtpReply(code, enhanced, text);
  }

  public boolean isPositive() {
    return code < 400;
  }

  public boolean isTransient() {
    return code >= 400 && code < 500;
  }

  public boolean isPermanent() {
    return code >= 500;
  }

  /** The lines of the text, each stripped of control characters so nothing can smuggle a CRLF. */
  public List<String> lines() {
    String all = text == null ? "" : text;
    List<String> lines = new ArrayList<>(2);
    int from = 0;
    while (true) {
      int nl = all.indexOf('\n', from);
      int end = nl < 0 ? all.length() : nl;
      lines.add(withoutControls(all, from, end));
      if (nl < 0) {
        return lines;
      }
      from = nl + 1;
    }
  }

  /** The part [from, end) of s without C0 controls and DEL (a loop: replies go out on every command). */
  private static String withoutControls(String s, int from, int end) {
    int i = from;
    while (i < end && !isControl(s.charAt(i))) {
      i++;
    }
    if (i == end) {
      return s.substring(from, end);
    }
    StringBuilder out = new StringBuilder(end - from).append(s, from, i);
    for (; i < end; i++) {
      char c = s.charAt(i);
      if (!isControl(c)) {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isControl(char c) {
    return c <= 0x1f || c == 0x7f;
  }

  /** The reply as it goes on the wire, CRLF terminated, multi-line with "code-" continuations. */
  public String toWire() {
    StringBuilder out = new StringBuilder();
    List<String> lines = lines();
    for (int i = 0; i < lines.size(); i++) {
      out.append(code).append(i == lines.size() - 1 ? ' ' : '-');
      if (enhanced != null) {
        out.append(enhanced);
        if (!lines.get(i).isEmpty()) {
          out.append(' ');
        }
      }
      out.append(lines.get(i)).append("\r\n");
    }
    return out.toString();
  }

  public JsonObject toJson() {
    return new JsonObject().put(CODE, code).put(ENHANCED, enhanced).put(TEXT, text);
  }

  public static SmtpReply fromJson(JsonObject json) {
    return new SmtpReply(json.getInteger(CODE), json.getString(ENHANCED), json.getString(TEXT));
  }

  @Override
  public String toString() {
    return code + (enhanced == null ? "" : " " + enhanced) + " " + (text == null ? "" : text.replace('\n', ' '));
  }
}
