package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.time.Clock;
import java.util.Optional;

/**
 * The status write of a reconciler that reports through a {@link Conditions#READY} condition: the
 * patch gets {@code observedGeneration} and the Ready condition, is merged into the status, and the
 * caller learns whether the Ready condition changed, to record a Kubernetes Event for the change.
 */
public final class ReadyStatus {
  private ReadyStatus() {}

  /**
   * Sets {@code observedGeneration} and the Ready condition in {@code patch} (its other fields are
   * the caller's) and merges it into the object's status; the other conditions are those stored
   * when the status is written.
   *
   * @param current the object's current status (may be missing)
   * @return the Ready condition as it was before (an empty object when there was none) when the
   *     status was written and the Ready condition's status, reason or message changed; empty
   *     otherwise
   */
  public static <T extends HasMetadata> Optional<JsonNode> write(
      StatusWriter status,
      Class<T> type,
      T object,
      JsonNode current,
      ObjectNode patch,
      String ready,
      String reason,
      String message,
      Clock clock) {
    long generation =
        object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
    patch.put("observedGeneration", generation);
    JsonNode before = condition(current);
    boolean transition =
        !ready.equals(before.path("status").asText())
            || !reason.equals(before.path("reason").asText())
            || !message.equals(before.path("message").asText());
    // the conditions are derived from the status read at write time, so the conditions other
    // components write meanwhile (BudgetExceeded, Degraded) are kept
    boolean written =
        status.update(
            type,
            object.getMetadata().getNamespace(),
            object.getMetadata().getName(),
            (stored, now) ->
                patch
                    .deepCopy()
                    .set(
                        "conditions",
                        Conditions.set(
                            now.path("conditions"),
                            Conditions.READY,
                            ready,
                            reason,
                            message,
                            generation,
                            clock)));
    return written && transition ? Optional.of(before) : Optional.empty();
  }

  /** The Ready condition of a status, or an empty object when it has none. */
  public static JsonNode condition(JsonNode status) {
    JsonNode ready = Conditions.find(status, Conditions.READY);
    return ready.isMissingNode() ? JsonNodeFactory.instance.objectNode() : ready;
  }
}
