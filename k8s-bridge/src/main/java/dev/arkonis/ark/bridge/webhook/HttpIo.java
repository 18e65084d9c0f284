package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Request and response plumbing of the webhook: bodies with a size limit, JSON replies. */
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

  /**
   * Reads the request body, keeping at most {@code limit} bytes. Over the limit: refused with 413;
   * up to another {@code limit} bytes are then read and discarded (so an ordinary client still sees
   * the 413 instead of a reset connection) and the connection is closed after the reply.
   */
  static byte[] readBody(HttpExchange exchange, long limit) throws IOException, Refused {
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    boolean tooLarge = false;
    if (declared != null) {
      try {
        tooLarge = Long.parseLong(declared.trim()) > limit;
      } catch (NumberFormatException e) {
        throw refuse(400, "invalid Content-Length header");
      }
    }
    InputStream in = exchange.getRequestBody();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    long total = 0;
    while (!tooLarge) {
      int n = in.read(chunk, 0, (int) Math.min(chunk.length, limit + 1 - total));
      if (n < 0) {
        return body.toByteArray();
      }
      body.write(chunk, 0, n);
      total += n;
      tooLarge = total > limit;
    }
    discard(in, limit);
    throw new Refused(
        error(
                413,
                "the request body is larger than the limit of "
                    + limit
                    + " bytes; send a smaller JSON object")
            .withHeader("Connection", "close"));
  }

  private static void discard(InputStream in, long max) {
    byte[] chunk = new byte[16 * 1024];
    long left = max;
    try {
      for (int n; left > 0 && (n = in.read(chunk, 0, (int) Math.min(chunk.length, left))) > 0; ) {
        left -= n;
      }
    } catch (IOException e) {
      // the client went away: nothing to discard
    }
  }

  /** Writes the reply and closes the exchange; a client that went away is ignored. */
  static void send(HttpExchange exchange, Reply reply) {
    try (exchange) {
      byte[] bytes = JSON.writeValueAsBytes(reply.body());
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      reply.headers().forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
      exchange.sendResponseHeaders(reply.status(), bytes.length + 1L);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
        out.write('\n');
      }
    } catch (IOException | RuntimeException e) {
      // the client disconnected or the server is stopping
    }
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
}
