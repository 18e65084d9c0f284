package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.function.BiFunction;

/**
 * A read-compute-write of an ArkEvent's status for values derived from the current status (the fire
 * counter), through {@link StatusWriter#update}: the patch is computed again from the object read
 * on every attempt, so two fires recorded at the same time (on two operator replicas) both count. A
 * 409 conflict re-reads and computes again (up to {@value #ATTEMPTS} attempts). A patch that
 * changes nothing is not sent.
 */
final class EventStatusUpdater {
  private static final int ATTEMPTS = 8;

  private final StatusWriter writer;

  EventStatusUpdater(KubernetesClient client) {
    this.writer = new StatusWriter(client, ATTEMPTS);
  }

  /**
   * @param patch (object, current status) → RFC 7386 merge patch of the status
   * @return false when the event is gone or the patch changed nothing
   */
  boolean update(String namespace, String name, BiFunction<ArkEvent, JsonNode, ObjectNode> patch) {
    return writer.update(ArkEvent.class, namespace, name, patch);
  }
}
