package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * {@code metav1.Condition} lists: condition types are constants, reasons CamelCase, and {@code
 * lastTransitionTime} is kept when the status of a condition did not change.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String BUDGET_EXCEEDED = "BudgetExceeded";
  public static final String DEGRADED = "Degraded";
  public static final String SUCCEEDED = "Succeeded";

  /** ArkRun: a retry reuses outputs that were truncated in the old run's status. */
  public static final String OUTPUTS_TRUNCATED = "OutputsTruncated";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Conditions() {}

  /**
   * The conditions with {@code type} set; other conditions are kept as they are.
   *
   * @param current the object's current {@code status.conditions} (may be missing)
   */
  public static ArrayNode set(
      JsonNode current,
      String type,
      String status,
      String reason,
      String message,
      long observedGeneration,
      Clock clock) {
    ArrayNode out = NODES.arrayNode();
    boolean found = false;
    for (JsonNode condition : current == null ? NODES.arrayNode() : current) {
      if (!type.equals(condition.path("type").asText())) {
        out.add(condition.deepCopy());
        continue;
      }
      found = true;
      String since =
          status.equals(condition.path("status").asText())
              ? condition.path("lastTransitionTime").asText(now(clock))
              : now(clock);
      out.add(condition(type, status, reason, message, observedGeneration, since));
    }
    if (!found) {
      out.add(condition(type, status, reason, message, observedGeneration, now(clock)));
    }
    return out;
  }

  private static ObjectNode condition(
      String type, String status, String reason, String message, long generation, String since) {
    ObjectNode node = NODES.objectNode();
    node.put("type", type);
    node.put("status", status);
    node.put("reason", reason);
    node.put("message", message == null ? "" : message);
    node.put("observedGeneration", generation);
    node.put("lastTransitionTime", since);
    return node;
  }

  /** The condition of {@code type} in a status, or a missing node when there is none. */
  public static JsonNode find(JsonNode status, String type) {
    JsonNode found = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    for (JsonNode condition : status.path("conditions")) {
      if (type.equals(condition.path("type").asText())) {
        found = condition;
      }
    }
    return found;
  }

  /** Whole seconds, as {@code metav1.Time} serialises. */
  static String now(Clock clock) {
    return Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
  }
}
