package org.tempalias.api;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.tempalias.contract.SenderLock;

/**
 * The body of {@code POST /aliases}, checked: {@code {"target", "days", "max-usage"}} as the
 * original clients send it. {@code days} and {@code max-usage} may be JSON numbers or numeric
 * strings (the original web form sent strings); 0, null, "" or absent means "no limit on that
 * side"; at least one limit is required.
 *
 * <p>Optional {@code "senders": ["shop.example", …]} and {@code "lock": "first-sender"} lock the
 * alias to senders in those domains (see {@link SenderLock}).
 *
 * @param target   the checked forwarding address
 * @param days     lifetime in days, 0 for no time limit
 * @param maxUsage number of forwards, 0 for no use limit
 * @param lock     which senders the alias takes mail from
 */
public record CreateRequest(TargetAddress target, int days, int maxUsage, SenderLock lock) {
  public static final String TARGET = "target";
  public static final String DAYS = "days";
  public static final String MAX_USAGE = "max-usage";
  public static final String SENDERS = "senders";
  public static final String LOCK = "lock";
  public static final String FIRST_SENDER = "first-sender";

  /**
   * True for {@code application/json}, alone or with a UTF-8 charset parameter (RFC 8259 §8.1: JSON
   * between systems is UTF-8, so any other charset is a client mistake).
   */
  public static boolean isJsonContentType(String header) {
    if (header == null) {
      return false;
    }
    String[] parts = header.split(";");
    if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String parameter = parts[i].trim();
      if (parameter.isEmpty()) {
        continue;
      }
      int eq = parameter.indexOf('=');
      if (eq < 0 || !parameter.substring(0, eq).trim().equalsIgnoreCase("charset")) {
        return false;
      }
      String value = parameter.substring(eq + 1).trim();
      if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
        value = value.substring(1, value.length() - 1);
      }
      if (!value.equalsIgnoreCase("utf-8") && !value.equalsIgnoreCase("utf8")) {
        return false;
      }
    }
    return true;
  }

  /** Parses and checks a request body against the caps; throws {@link ApiError} (invalid-data). */
  public static CreateRequest parse(Buffer body, int maxDays, int maxUsage) {
    JsonObject json = JsonBody.object(body, "{\"target\", \"days\", \"max-usage\"}");
    Object targetValue = json.getValue(TARGET);
    if (!(targetValue instanceof String target)) {
      throw ApiError.invalidData(targetValue == null
          ? "target is missing"
          : "target must be a string");
    }
    TargetAddress address;
    try {
      address = TargetAddress.parse(target);
    } catch (TargetAddress.InvalidTarget e) {
      throw ApiError.invalidData(e.getMessage());
    }
    int days = limit(json.getValue(DAYS), DAYS, maxDays);
    int uses = limit(json.getValue(MAX_USAGE), MAX_USAGE, maxUsage);
    if (days == 0 && uses == 0) {
      throw ApiError.invalidData("give days or max-usage (or both): an alias needs a limit");
    }
    return new CreateRequest(address, days, uses, senderLock(json.getValue(SENDERS), json.getValue(LOCK)));
  }

  /** {@code senders} (domains, normalized and deduplicated) and {@code lock}; throws invalid-data. */
  static SenderLock senderLock(Object senders, Object lock) {
    boolean firstSender;
    if (lock == null) {
      firstSender = false;
    } else if (FIRST_SENDER.equals(lock)) {
      firstSender = true;
    } else {
      throw ApiError.invalidData("lock must be \"first-sender\" (or absent)");
    }
    if (senders == null) {
      return new SenderLock(List.of(), firstSender);
    }
    if (!(senders instanceof JsonArray list)) {
      throw ApiError.invalidData("senders must be a list of domains, like [\"shop.example\"]");
    }
    Set<String> domains = new LinkedHashSet<>();
    for (Object entry : list) {
      String domain = entry instanceof String s ? SenderLock.normalize(s) : null;
      if (domain == null) {
        throw ApiError.invalidData("senders: " + (entry instanceof String s ? "\"" + clip(s) + "\"" : clip(String.valueOf(entry)))
            + " is not a domain name (write shop.example: its subdomains are included)");
      }
      domains.add(domain);
    }
    if (domains.size() > SenderLock.MAX_DOMAINS) {
      throw ApiError.invalidData("senders: at most " + SenderLock.MAX_DOMAINS + " domains");
    }
    return new SenderLock(List.copyOf(domains), firstSender);
  }

  /** A non-negative whole number not above {@code cap}, from a JSON number or a numeric string. */
  static int limit(Object value, String name, int cap) {
    long parsed;
    if (value == null) {
      return 0;
    } else if (value instanceof String s) {
      if (s.isEmpty()) {
        return 0;
      }
      if (!s.matches("[0-9]{1,18}")) {
        throw ApiError.invalidData(name + " must be a whole number from 0 to " + cap + ", got \"" + clip(s) + "\"");
      }
      parsed = Long.parseLong(s);
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      parsed = ((Number) value).longValue();
    } else if (value instanceof BigInteger) {
      throw ApiError.invalidData(name + " must be at most " + cap);
    } else if (value instanceof Double d && (d.isInfinite() || d.isNaN())) {
      throw ApiError.invalidData(name + " must be a whole number from 0 to " + cap); // e.g. 1e400
    } else if (value instanceof Number n) {
      BigDecimal decimal = n instanceof BigDecimal b ? b : BigDecimal.valueOf(n.doubleValue());
      if (decimal.signum() != 0 && decimal.stripTrailingZeros().scale() > 0) {
        throw ApiError.invalidData(name + " must be a whole number, got " + n);
      }
      if (decimal.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
        throw ApiError.invalidData(name + " must be at most " + cap);
      }
      parsed = decimal.longValue();
    } else {
      throw ApiError.invalidData(name + " must be a number or a numeric string");
    }
    if (parsed < 0) {
      throw ApiError.invalidData(name + " must not be negative");
    }
    if (parsed > cap) {
      throw ApiError.invalidData(name + " must be at most " + cap + ", got " + parsed);
    }
    return (int) parsed;
  }

  private static String clip(String s) {
    String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
    return printable.length() <= 20 ? printable : printable.substring(0, 20) + "…";
  }
}
