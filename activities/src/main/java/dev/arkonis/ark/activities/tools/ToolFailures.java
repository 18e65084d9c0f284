package dev.arkonis.ark.activities.tools;

import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;

/** Failure types and text limits of the tool activities. */
public final class ToolFailures {
  /**
   * Error type of a tool whose server cannot be reached (connection refused, timeout); retried by
   * the activity's retry policy.
   */
  public static final String TOOL_UNAVAILABLE = ToolActivities.TOOL_UNAVAILABLE;

  /** Largest tool output handed to the model (and stored in the run's history), in bytes. */
  public static final int MAX_RESULT_BYTES = 64 * 1024;

  private ToolFailures() {}

  /** A retryable failure: the tool's server is unreachable. */
  static ApplicationFailure unavailable(String message, Throwable cause) {
    return ApplicationFailure.newFailureWithCause(message, TOOL_UNAVAILABLE, cause);
  }

  /** {@code text} cut to {@link #MAX_RESULT_BYTES} UTF-8 bytes, with a note when it was cut. */
  static String cap(String text) {
    if (text == null) {
      return "";
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_RESULT_BYTES) {
      return text;
    }
    return new String(bytes, 0, MAX_RESULT_BYTES, StandardCharsets.UTF_8)
        + truncationNote(bytes.length);
  }

  static String truncationNote(long size) {
    return "\n[truncated: the tool returned "
        + (size > 0 ? size + " bytes" : "more")
        + "; only the first "
        + MAX_RESULT_BYTES
        + " bytes are shown]";
  }
}
