package dev.arkonis.ark.activities.tracing;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.common.interceptors.Header;
import java.util.HashMap;
import java.util.Map;

/** The Temporal header that carries a span's {@code traceparent} to a workflow or activity. */
final class TraceHeader {
  static final String KEY = "ark-traceparent";

  private TraceHeader() {}

  /** A copy of {@code header} with {@code traceparent} added. */
  static Header with(Header header, String traceparent) {
    Map<String, Payload> values = new HashMap<>(header.getValues());
    values.put(KEY, DefaultDataConverter.STANDARD_INSTANCE.toPayload(traceparent).orElseThrow());
    return new Header(values);
  }

  /** The {@code traceparent} in {@code header}, or null. */
  static String read(Header header) {
    Payload payload = header == null ? null : header.getValues().get(KEY);
    if (payload == null) {
      return null;
    }
    try {
      return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
          payload, String.class, String.class);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
