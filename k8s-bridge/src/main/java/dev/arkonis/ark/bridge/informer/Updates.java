package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which informer updates a controller acts on. Status writes are the bulk of all updates (a run's
 * status is written at every step transition); a reconciler whose inputs are the spec and the
 * metadata skips them, so a status write does not cost a reconcile (an API read, a Temporal call)
 * of the object and of everything watching it.
 */
public final class Updates {
  private Updates() {}

  /** Decides whether an update of an object (old → current) concerns a controller. */
  @FunctionalInterface
  public interface Filter<T> {
    boolean test(T old, T current);
  }

  /** Every update. */
  public static <T> Filter<T> all() {
    return (old, current) -> true;
  }

  /** Updates that changed more than the status (see {@link #statusOnly}). */
  public static <T extends HasMetadata> Filter<T> beyondStatus() {
    return (old, current) -> !statusOnly(old, current);
  }

  /**
   * True when an update changed nothing but the status (and the resource version and managed
   * fields): same generation (the API server bumps it on every spec change of a resource with a
   * status subresource), deletion timestamp, finalizers, labels, annotations and owner references.
   * An update of an object without a generation is never status-only.
   */
  public static boolean statusOnly(HasMetadata old, HasMetadata current) {
    if (old == null || current == null) {
      return false;
    }
    ObjectMeta a = old.getMetadata();
    ObjectMeta b = current.getMetadata();
    if (a == null || b == null || a.getGeneration() == null || b.getGeneration() == null) {
      return false;
    }
    return a.getGeneration().equals(b.getGeneration())
        && Objects.equals(a.getDeletionTimestamp(), b.getDeletionTimestamp())
        && Objects.equals(list(a.getFinalizers()), list(b.getFinalizers()))
        && Objects.equals(map(a.getLabels()), map(b.getLabels()))
        && Objects.equals(map(a.getAnnotations()), map(b.getAnnotations()))
        && Objects.equals(list(a.getOwnerReferences()), list(b.getOwnerReferences()));
  }

  private static <T> List<T> list(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static Map<String, String> map(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }
}
