package dev.arkonis.ark.activities.tracing;

import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.sdk.trace.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * Span and trace ids. Spans recorded from workflow code get ids derived from the workflow's id, run
 * id and the span's key, so a workflow replayed on another worker names the same spans and its
 * calls' spans find their parents; everything else gets random ids. The tracer provider must use
 * {@link #GENERATOR} (the autoconfigured one does: {@link RunTracing}).
 */
final class TraceIds {
  /** Ids for the next span started on this thread, or null for random ones. */
  private static final ThreadLocal<String[]> NEXT = new ThreadLocal<>();

  static final IdGenerator GENERATOR =
      new IdGenerator() {
        @Override
        public String generateSpanId() {
          String[] next = NEXT.get();
          if (next != null && next[1] != null) {
            String id = next[1];
            next[1] = null;
            return id;
          }
          return IdGenerator.random().generateSpanId();
        }

        @Override
        public String generateTraceId() {
          String[] next = NEXT.get();
          if (next != null && next[0] != null) {
            String id = next[0];
            next[0] = null;
            return id;
          }
          return IdGenerator.random().generateTraceId();
        }
      };

  private TraceIds() {}

  /** Runs {@code start} (which starts one span) with the given trace id (or null) and span id. */
  static <T> T with(String traceId, String spanId, Supplier<T> start) {
    NEXT.set(new String[] {traceId, spanId});
    try {
      return start.get();
    } finally {
      NEXT.remove();
    }
  }

  /** A span id derived from {@code parts}. */
  static String spanId(String... parts) {
    return digest(16, parts);
  }

  /** A trace id derived from {@code parts}. */
  static String traceId(String... parts) {
    return digest(32, parts);
  }

  /** A W3C {@code traceparent} value. */
  static String traceparent(String traceId, String spanId) {
    return "00-" + traceId + "-" + spanId + "-01";
  }

  /** The remote parent a {@code traceparent} names, or null when it is not one. */
  static SpanContext parse(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    String[] parts = traceparent.split("-");
    if (parts.length != 4) {
      return null;
    }
    SpanContext context =
        SpanContext.createFromRemoteParent(
            parts[1], parts[2], TraceFlags.getSampled(), TraceState.getDefault());
    return context.isValid() ? context : null;
  }

  private static String digest(int hexChars, String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : parts) {
        sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      String hex = HexFormat.of().formatHex(sha.digest()).substring(0, hexChars);
      // all zeros is an invalid id
      return hex.chars().allMatch(c -> c == '0') ? hex.substring(1) + "1" : hex;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
