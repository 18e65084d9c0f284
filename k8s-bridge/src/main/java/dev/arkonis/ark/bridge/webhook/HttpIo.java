package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Request and response plumbing of the webhook: JSON replies, query parameters, durations. */
final class HttpIo {
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

  private HttpIo() {}

  /** A reply: status code, JSON body and extra headers. */
  record Reply(int status, ObjectNode body, Map<String, String> headers) {
    Reply(int status, ObjectNode body) {
      this(status, body, Map.of());
    }

    Reply withHeader(String name, String value) {
      Map<String, String> more = new LinkedHashMap<>(headers);
      more.put(name, value);
      return new Reply(status, body, more);
    }
  }

  /** A request refused with a reply; nothing was started. */
  static final class Refused extends Exception {
    final transient Reply reply;

    Refused(Reply reply) {
      super(reply.body().path("error").asText(), null, false, false);
      this.reply = reply;
    }
  }

  /** An error reply {@code {"error": message}}. */
  static Reply error(int status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    return new Reply(status, body);
  }

  static Refused refuse(int status, String message) {
    return new Refused(error(status, message));
  }

  /** The reply as the embedded server sends it. */
  static dev.arkonis.ark.bridge.http.Reply http(Reply reply) {
    dev.arkonis.ark.bridge.http.Reply out =
        dev.arkonis.ark.bridge.http.Reply.json(reply.status(), reply.body());
    for (Map.Entry<String, String> header : reply.headers().entrySet()) {
      out = out.withHeader(header.getKey(), header.getValue());
    }
    return out;
  }

  /** 413 for a body over {@code limit} bytes; the connection is closed after it. */
  static Reply tooLarge(long limit) {
    return error(
            413,
            "the request body is larger than the limit of "
                + limit
                + " bytes; send a smaller JSON object")
        .withHeader("Connection", "close");
  }

  /** The query parameters of a request (last value wins), URL-decoded. */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.put(
          URLDecoder.decode(key, StandardCharsets.UTF_8),
          URLDecoder.decode(value, StandardCharsets.UTF_8));
    }
    return params;
  }

  /**
   * {@code 60s}, {@code 500ms}, {@code 2m}, {@code 1h}, or a plain number of seconds; else null.
   */
  static Duration duration(String text) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      return null;
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "s" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofSeconds(n);
    };
  }

  /** A duration as the shortest of {@code 10m}, {@code 60s}, {@code 500ms}. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** JSON path of the first string (or key) with an unpaired UTF-16 surrogate, or null. */
  static String loneSurrogate(com.fasterxml.jackson.databind.JsonNode node, String path) {
    if (node.isTextual()) {
      return unpaired(node.asText()) ? (path.isEmpty() ? "the body" : path) : null;
    }
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String found = loneSurrogate(node.get(i), path + "[" + i + "]");
        if (found != null) {
          return found;
        }
      }
    } else if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        var field = fields.next();
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        String found = unpaired(field.getKey()) ? "a key" : loneSurrogate(field.getValue(), child);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static boolean unpaired(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
