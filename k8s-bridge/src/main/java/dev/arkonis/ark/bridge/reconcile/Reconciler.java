package dev.arkonis.ark.bridge.reconcile;

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
}
