package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.util.Iterator;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A read-compute-write of an ArkEvent's status for values derived from the current status (the fire
 * counter): unlike {@code StatusWriter.merge}, whose patch is computed before the read, the patch
 * is computed again from the object read on every attempt, so two fires recorded at the same time
 * (on two operator replicas) both count. The write goes to the status subresource with the object's
 * resourceVersion; a 409 conflict re-reads and computes again. A patch that changes nothing is not
 * sent.
 */
final class EventStatusUpdater {
  private static final int ATTEMPTS = 8;

  private final KubernetesClient client;

  EventStatusUpdater(KubernetesClient client) {
    this.client = client;
  }

  /**
   * @param patch (object, current status) → RFC 7386 merge patch of the status
   * @return false when the event is gone or the patch changed nothing
   */
  boolean update(String namespace, String name, BiFunction<ArkEvent, JsonNode, ObjectNode> patch) {
    for (int attempt = 1; ; attempt++) {
      ArkEvent current =
          client.resources(ArkEvent.class).inNamespace(namespace).withName(name).get();
      if (current == null) {
        return false;
      }
      ObjectNode object = (ObjectNode) tree(current);
      JsonNode before = object.path("status");
      ObjectNode base =
          before.isObject()
              ? (ObjectNode) before.deepCopy()
              : JsonNodeFactory.instance.objectNode();
      JsonNode after = merge(base, patch.apply(current, before.isObject() ? before : base));
      if (after.toString().equals(before.toString())) { // numbers compare by value
        return false;
      }
      object.set("status", after);
      ArkEvent updated = client.getKubernetesSerialization().convertValue(object, ArkEvent.class);
      try {
        client.resources(ArkEvent.class).inNamespace(namespace).resource(updated).updateStatus();
        return true;
      } catch (KubernetesClientException e) {
        if (e.getCode() == HttpURLConnection.HTTP_NOT_FOUND) {
          return false;
        }
        if (e.getCode() != HttpURLConnection.HTTP_CONFLICT || attempt >= ATTEMPTS) {
          throw e;
        }
      }
    }
  }

  /** RFC 7386 merge of {@code patch} into {@code target} (modified in place and returned). */
  static JsonNode merge(JsonNode target, JsonNode patch) {
    if (!patch.isObject() || !target.isObject()) {
      return patch.deepCopy();
    }
    ObjectNode out = (ObjectNode) target;
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getValue().isNull()) {
        out.remove(field.getKey());
      } else if (out.has(field.getKey())) {
        out.set(field.getKey(), merge(out.get(field.getKey()), field.getValue()));
      } else {
        out.set(field.getKey(), field.getValue().deepCopy());
      }
    }
    return out;
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
