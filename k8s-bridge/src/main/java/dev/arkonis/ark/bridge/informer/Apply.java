package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.BiPredicate;

/**
 * Create-or-update of the objects a controller owns, against what its informer cache holds. Sends
 * nothing when the object already matches, so a re-reconcile with nothing changed writes nothing.
 * Updates carry the resourceVersion they were computed from (optimistic locking); a conflict is
 * retried once against a fresh read, then thrown so the controller requeues the key.
 */
public final class Apply {
  private static final int ATTEMPTS = 2;

  private Apply() {}

  /** What {@link #ensure} did. */
  public enum Outcome {
    CREATED,
    UPDATED,
    UNCHANGED
  }

  /** The live object after {@link #ensure}, and what was done to it. */
  public record Result<T>(T object, Outcome outcome) {}

  /** The object exists but another controller (or a user) owns it: a user-visible error. */
  public static final class NotOwnedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotOwnedException(String message) {
      super(message);
    }
  }

  /** A controller owner reference ({@code controller: true, blockOwnerDeletion: true}). */
  public static OwnerReference controllerReference(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  /** True when {@code object}'s controller is {@code owner} (by uid). */
  public static boolean controlledBy(HasMetadata object, HasMetadata owner) {
    OwnerReference controller = controller(object);
    return controller != null && Objects.equals(controller.getUid(), owner.getMetadata().getUid());
  }

  /**
   * Makes the object {@code desired} describes exist and match.
   *
   * @param cached the object as the informer cache has it, or null when it has none
   * @param desired name, namespace, labels, annotations, owner references and spec to have; labels
   *     and annotations are merged into the live ones (others are kept)
   * @param sameSpec whether the live object's spec already matches the desired one
   * @param copySpec copies the desired spec onto a copy of the live object
   * @return the live object after the call and whether it was created, updated or left alone
   * @throws NotOwnedException when the object exists with a different controller (or none)
   */
  public static <T extends HasMetadata> Result<T> ensure(
      KubernetesClient client,
      T cached,
      T desired,
      BiPredicate<T, T> sameSpec,
      BiConsumer<T, T> copySpec) {
    T live = cached;
    if (live == null) {
      try {
        return new Result<>(client.resource(desired).create(), Outcome.CREATED);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        live = client.resource(desired).get();
        if (live == null) {
          throw e;
        }
      }
    }
    for (int attempt = 1; ; attempt++) {
      checkOwner(live, desired);
      if (upToDate(live, desired) && sameSpec.test(live, desired)) {
        return new Result<>(live, Outcome.UNCHANGED);
      }
      T update = client.getKubernetesSerialization().clone(live);
      mergeMetadata(update.getMetadata(), desired.getMetadata());
      copySpec.accept(desired, update);
      try {
        return new Result<>(client.resource(update).update(), Outcome.UPDATED);
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt >= ATTEMPTS) {
          throw e;
        }
        live = client.resource(desired).get();
        if (live == null) {
          throw e;
        }
      }
    }
  }

  private static void checkOwner(HasMetadata live, HasMetadata desired) {
    OwnerReference wanted = controller(desired);
    if (wanted == null) {
      return;
    }
    OwnerReference actual = controller(live);
    if (actual == null || !Objects.equals(actual.getUid(), wanted.getUid())) {
      throw new NotOwnedException(
          live.getKind()
              + " "
              + live.getMetadata().getName()
              + " already exists and is "
              + (actual == null
                  ? "not managed by ark"
                  : "managed by " + actual.getKind() + " " + actual.getName())
              + "; delete or rename it so "
              + wanted.getKind()
              + " "
              + wanted.getName()
              + " can manage it");
    }
  }

  private static boolean upToDate(HasMetadata live, HasMetadata desired) {
    ObjectMeta have = live.getMetadata();
    ObjectMeta want = desired.getMetadata();
    return contains(have.getLabels(), want.getLabels())
        && contains(have.getAnnotations(), want.getAnnotations())
        && have.getOwnerReferences().stream()
            .map(OwnerReference::getUid)
            .toList()
            .containsAll(want.getOwnerReferences().stream().map(OwnerReference::getUid).toList());
  }

  private static void mergeMetadata(ObjectMeta target, ObjectMeta desired) {
    Map<String, String> labels = new LinkedHashMap<>(orEmpty(target.getLabels()));
    labels.putAll(orEmpty(desired.getLabels()));
    target.setLabels(labels);
    Map<String, String> annotations = new LinkedHashMap<>(orEmpty(target.getAnnotations()));
    annotations.putAll(orEmpty(desired.getAnnotations()));
    target.setAnnotations(annotations);
    List<OwnerReference> owners = new ArrayList<>(target.getOwnerReferences());
    for (OwnerReference owner : desired.getOwnerReferences()) {
      if (owners.stream().noneMatch(o -> Objects.equals(o.getUid(), owner.getUid()))) {
        owners.add(owner);
      }
    }
    target.setOwnerReferences(owners);
  }

  private static boolean contains(Map<String, String> have, Map<String, String> want) {
    return orEmpty(have).entrySet().containsAll(orEmpty(want).entrySet());
  }

  private static Map<String, String> orEmpty(Map<String, String> map) {
    return map == null ? Map.of() : map;
  }

  private static OwnerReference controller(HasMetadata object) {
    return object.getMetadata().getOwnerReferences().stream()
        .filter(o -> Boolean.TRUE.equals(o.getController()))
        .findFirst()
        .orElse(null);
  }
}
