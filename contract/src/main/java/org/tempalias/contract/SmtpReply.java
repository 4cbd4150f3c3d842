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
    List<String> lines = new ArrayList<>();
    for (String line : (text == null ? "" : text).split("\n", -1)) {
      lines.add(line.replaceAll("[\\x00-\\x1f\\x7f]", ""));
    }
    return lines;
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
