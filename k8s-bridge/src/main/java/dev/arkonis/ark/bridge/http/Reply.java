package dev.arkonis.ark.bridge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP answer: status, content type, body and extra headers; or, with {@code stream}, a stream
 * of Server-Sent Events that the route decided on after reading the request (e.g. A2A's {@code
 * message/stream}, a POST whose body says it wants a stream).
 */
public record Reply(
    int status,
    String contentType,
    byte[] body,
    Map<String, String> headers,
    java.util.function.Consumer<EventStream> stream) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public Reply(int status, String contentType, byte[] body, Map<String, String> headers) {
    this(status, contentType, body, headers, null);
  }

  /** Answers with a stream of Server-Sent Events that {@code open} feeds (it must not block). */
  public static Reply stream(java.util.function.Consumer<EventStream> open) {
    return new Reply(200, "text/event-stream", new byte[0], Map.of(), open);
  }

  /** A JSON answer (the body followed by a newline). */
  public static Reply json(int status, JsonNode body) {
    try {
      byte[] bytes = JSON.writeValueAsBytes(body);
      byte[] withNewline = java.util.Arrays.copyOf(bytes, bytes.length + 1);
      withNewline[bytes.length] = '\n';
      return new Reply(status, "application/json", withNewline, Map.of());
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** {@code {"error": message}}. */
  public static Reply error(int status, String message) {
    return json(status, JSON.createObjectNode().put("error", message));
  }

  /** A plain-text answer in UTF-8. */
  public static Reply text(int status, String text) {
    return new Reply(
        status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), Map.of());
  }

  public Reply withHeader(String name, String value) {
    Map<String, String> more = new LinkedHashMap<>(headers);
    more.put(name, value);
    return new Reply(status, contentType, body, Map.copyOf(more), stream);
  }
}
