package dev.arkonis.ark.bridge.events;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.HttpURLConnection;
import java.util.function.Predicate;

/**
 * Read-modify-write of an object's finalizers and annotations: a fresh read, the change, then a
 * JSON patch of just those two fields that also sets the read's resourceVersion (the API server
 * answers 409 when the object changed meanwhile; the change is then made again on a fresh read).
 * One verb, {@code patch}, as the run reconciler's finalizer edits.
 */
final class MetadataUpdate {
  private static final int ATTEMPTS = 5;

  private MetadataUpdate() {}

  /**
   * @param change modifies the object in place; returns false when there is nothing to change
   * @return false when the object is gone or nothing changed
   */
  static <T extends HasMetadata> boolean apply(
      KubernetesClient client, Class<T> type, String namespace, String name, Predicate<T> change) {
    for (int attempt = 1; ; attempt++) {
      T current = client.resources(type).inNamespace(namespace).withName(name).get();
      if (current == null || !change.test(current)) {
        return false;
      }
      ArrayNode patch = JsonNodeFactory.instance.arrayNode();
      // the read's resourceVersion: the API server refuses the result (409) if the object changed
      patch
          .addObject()
          .put("op", "replace")
          .put("path", "/metadata/resourceVersion")
          .put("value", current.getMetadata().getResourceVersion());
      ArrayNode finalizers =
          patch.addObject().put("op", "add").put("path", "/metadata/finalizers").putArray("value");
      if (current.getMetadata().getFinalizers() != null) {
        current.getMetadata().getFinalizers().forEach(finalizers::add);
      }
      ObjectNode annotations =
          patch
              .addObject()
              .put("op", "add")
              .put("path", "/metadata/annotations")
              .putObject("value");
      if (current.getMetadata().getAnnotations() != null) {
        current.getMetadata().getAnnotations().forEach(annotations::put);
      }
      try {
        client
            .resources(type)
            .inNamespace(namespace)
            .withName(name)
            .patch(PatchContext.of(PatchType.JSON), patch.toString());
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
}
