package org.tempalias.contract;

import io.vertx.core.json.JsonObject;

/**
 * A message the service writes itself (a confirmation request), for {@link RelayAddress#SERVICE_MAIL}:
 * the relay adds Date, Message-ID and {@code Auto-Submitted: auto-generated} and sends it as
 * {@code multipart/alternative} through the smarthost, retrying a while when it is unreachable.
 */
public record ServiceMail(String from, String to, String subject, String text, String html) {
  private static final String FROM = "from";
  private static final String TO = "to";
  private static final String SUBJECT = "subject";
  private static final String TEXT = "text";
  private static final String HTML = "html";

  public JsonObject toJson() {
    return new JsonObject().put(FROM, from).put(TO, to).put(SUBJECT, subject).put(TEXT, text).put(HTML, html);
  }

  public static ServiceMail fromJson(JsonObject json) {
    return new ServiceMail(json.getString(FROM), json.getString(TO), json.getString(SUBJECT), json.getString(TEXT),
        json.getString(HTML));
  }
}
