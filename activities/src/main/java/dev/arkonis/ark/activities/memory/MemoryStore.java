package dev.arkonis.ark.activities.memory;

import java.util.List;

/** One ArkMemory backend. Every method may throw when the backend is unreachable. */
interface MemoryStore {
  /** At most {@code topK} memories of {@code scope} (an agent) for {@code query}, best first. */
  List<String> recall(String scope, String query, int topK);

  /** Keeps {@code text} as a memory of {@code scope}. */
  void store(String scope, String text);

  /** Throws when the backend cannot be reached now. */
  void ping();
}
