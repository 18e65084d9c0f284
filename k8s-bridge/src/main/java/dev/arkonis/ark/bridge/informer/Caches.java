package dev.arkonis.ark.bridge.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.Indexer;
import io.fabric8.kubernetes.client.informers.cache.Lister;
import java.util.List;

/**
 * Read access to the informer caches. Reconcilers read here instead of the API server; what they
 * read may be a little behind their own writes, which a level-based reconciler tolerates (the
 * write's event enqueues the key again).
 */
public interface Caches {
  /** The cache of a kind as a fabric8 {@link Lister} (all namespaces). */
  <T extends HasMetadata> Lister<T> lister(Class<T> type);

  /** The cache of a kind with its indexes (see {@link Watch.Index}). */
  <T extends HasMetadata> Indexer<T> indexer(Class<T> type);

  /** One cached object, or null. */
  default <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    return lister(type).namespace(namespace).get(name);
  }

  /** The cached objects of a kind in a namespace. */
  default <T extends HasMetadata> List<T> list(Class<T> type, String namespace) {
    return lister(type).namespace(namespace).list();
  }

  /** The cached objects whose index {@code index} contains {@code value}. */
  default <T extends HasMetadata> List<T> byIndex(Class<T> type, String index, String value) {
    return indexer(type).byIndex(index, value);
  }
}
