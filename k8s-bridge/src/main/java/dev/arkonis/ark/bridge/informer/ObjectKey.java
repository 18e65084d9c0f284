package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/** A work-queue key: {@code namespace/name}, the way informer caches key namespaced objects. */
public record ObjectKey(String namespace, String name) {
  public ObjectKey {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  public static ObjectKey of(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return new ObjectKey(namespace == null ? "" : namespace, object.getMetadata().getName());
  }

  /** Parses {@code namespace/name} (or a bare {@code name} for cluster-scoped objects). */
  public static ObjectKey parse(String key) {
    int slash = key.indexOf('/');
    return slash < 0
        ? new ObjectKey("", key)
        : new ObjectKey(key.substring(0, slash), key.substring(slash + 1));
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
