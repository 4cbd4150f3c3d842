package org.tempalias.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * The body of {@code PATCH /aliases/{aid}}, checked: {@code {"days": n}} (expires n days from
 * now) and/or {@code {"max-usage": n}} (n more messages), each within the caps, in the same
 * forms {@link CreateRequest} accepts. 0 lifts that limit (the store refuses it when no limit
 * would remain). A field that is absent stays as it is.
 *
 * @param days     new lifetime in days from now, null to keep the expiry
 * @param maxUsage new number of messages left, null to keep it
 */
public record UpdateRequest(Integer days, Integer maxUsage) {

  /**
   * True for the JSON media types a PATCH may carry: plain JSON, or a JSON merge patch (RFC 7396
   * §4), which is exactly what this body is.
   */
  public static boolean isPatchContentType(String header) {
    if (CreateRequest.isJsonContentType(header)) {
      return true;
    }
    if (header == null) {
      return false;
    }
    String[] parts = header.split(";", 2);
    String parameters = parts.length > 1 ? ";" + parts[1] : "";
    return parts[0].trim().equalsIgnoreCase("application/merge-patch+json")
        && CreateRequest.isJsonContentType("application/json" + parameters);
  }

  /** Parses and checks a body against the caps; throws {@link ApiError} (invalid-data). */
  public static UpdateRequest parse(Buffer body, int maxDays, int maxUsage) {
    JsonObject json = JsonBody.object(body, "{\"days\": n} and/or {\"max-usage\": n}");
    for (String field : json.fieldNames()) {
      if (!field.equals(CreateRequest.DAYS) && !field.equals(CreateRequest.MAX_USAGE)) {
        // A typo (max_usage) would otherwise change nothing and answer 200.
        throw ApiError.invalidData("an alias's days and max-usage can be changed, not " + clip(field));
      }
    }
    Integer days = json.containsKey(CreateRequest.DAYS)
        ? CreateRequest.limit(json.getValue(CreateRequest.DAYS), CreateRequest.DAYS, maxDays) : null;
    Integer uses = json.containsKey(CreateRequest.MAX_USAGE)
        ? CreateRequest.limit(json.getValue(CreateRequest.MAX_USAGE), CreateRequest.MAX_USAGE, maxUsage) : null;
    if (days == null && uses == null) {
      throw ApiError.invalidData("give days or max-usage (or both) to change");
    }
    if (Integer.valueOf(0).equals(days) && Integer.valueOf(0).equals(uses)) {
      throw ApiError.invalidData("an alias needs a limit: days and max-usage cannot both be 0");
    }
    return new UpdateRequest(days, uses);
  }

  private static String clip(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= 20 ? printable : printable.substring(0, 20) + "…";
  }
}
