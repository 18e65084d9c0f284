package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A secondary watch: events of a related kind mapped to keys of a controller's primary kind (a
 * Deployment owned by an ArkAgent → that agent; a ConfigMap referenced by agents → those agents).
 *
 * @param type the related kind; the operator must inform it
 * @param mapper the primary keys an object of {@code type} concerns
 * @param index an index the mapper reads on the primary cache, installed by {@link
 *     Operator#register}; null when none
 * @param updates the updates of {@code type} that are mapped (adds and deletes always are)
 */
public record Watch<T extends HasMetadata>(
    Class<T> type, Mapper<T> mapper, Index<?> index, Updates.Filter<T> updates) {

  /** A watch mapping every update. */
  public Watch(Class<T> type, Mapper<T> mapper, Index<?> index) {
    this(type, mapper, index, Updates.all());
  }

  /** This watch, mapping only the updates {@code filter} accepts. */
  public Watch<T> onUpdates(Updates.Filter<T> filter) {
    return new Watch<>(type, mapper, index, filter);
  }

  /** Maps a related object to primary keys; may read the caches. */
  @FunctionalInterface
  public interface Mapper<T> {
    Collection<ObjectKey> keys(T object, Caches caches);
  }

  /**
   * An informer index on a primary kind: {@code values} lists, per object, the {@code
   * namespace/name} keys of the related objects it refers to.
   */
  public record Index<P extends HasMetadata>(
      Class<P> type, String name, Function<P, List<String>> values) {}

  /** Any mapping function. */
  public static <T extends HasMetadata> Watch<T> of(
      Class<T> type, Function<T, Collection<ObjectKey>> keys) {
    return new Watch<>(type, (object, caches) -> keys.apply(object), null);
  }

  /** Objects → their owners of {@code ownerKind} (in the object's namespace). */
  public static <T extends HasMetadata> Watch<T> ownedBy(Class<T> type, String ownerKind) {
    return of(
        type,
        object -> {
          List<ObjectKey> keys = new ArrayList<>();
          for (OwnerReference owner : object.getMetadata().getOwnerReferences()) {
            if (ownerKind.equals(owner.getKind())) {
              keys.add(new ObjectKey(namespace(object), owner.getName()));
            }
          }
          return keys;
        });
  }

  /** Objects → the primary named by their label {@code label} (in the object's namespace). */
  public static <T extends HasMetadata> Watch<T> labelled(Class<T> type, String label) {
    return of(
        type,
        object -> {
          Map<String, String> labels = object.getMetadata().getLabels();
          String value = labels == null ? null : labels.get(label);
          return value == null || value.isEmpty()
              ? List.of()
              : List.of(new ObjectKey(namespace(object), value));
        });
  }

  /**
   * Objects → the primaries that refer to them, found through {@code index} on the primary cache
   * (the index values are {@code namespace/name} of the referenced objects).
   */
  public static <T extends HasMetadata, P extends HasMetadata> Watch<T> referencedBy(
      Class<T> type, Index<P> index) {
    return new Watch<>(
        type,
        (object, caches) -> {
          List<ObjectKey> keys = new ArrayList<>();
          String value = ObjectKey.of(object).toString();
          for (P primary : caches.byIndex(index.type(), index.name(), value)) {
            keys.add(ObjectKey.of(primary));
          }
          return keys;
        },
        index);
  }

  private static String namespace(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null ? "" : namespace;
  }
}
