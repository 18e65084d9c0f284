package dev.arkonis.ark.bridge.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * A level-based reconciler: given a key, it reads the current state (informer caches or the API),
 * makes the world match the spec and writes status. Idempotent: calling it again with nothing
 * changed changes nothing. An exception means "try again later" (the controller requeues the key
 * with backoff); user errors are conditions, not exceptions.
 */
public interface Reconciler {
  /** The kind whose keys this reconciler takes, e.g. {@code ArkTeam}. */
  String kind();

  void reconcile(String namespace, String name) throws Exception;

  /**
   * Whether an informer update of an object of {@link #kind()} enqueues it (adds, deletes and the
   * controller's resync always do). Default: every update; a reconciler that reads only spec and
   * metadata answers {@code !Updates.statusOnly(old, current)}.
   */
  default boolean reconcilesUpdate(HasMetadata old, HasMetadata current) {
    return true;
  }
}
