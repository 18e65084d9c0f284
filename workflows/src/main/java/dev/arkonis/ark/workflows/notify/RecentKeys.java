package dev.arkonis.ark.workflows.notify;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** The most recent notification keys, oldest dropped first beyond a bound. */
final class RecentKeys {
  /** Keys remembered: far more events than one ArkNotify sees between two repeats of a key. */
  static final int LIMIT = 2000;

  private final LinkedHashSet<String> keys;
  private final int limit;

  RecentKeys(List<String> initial, int limit) {
    this.keys = new LinkedHashSet<>(initial);
    this.limit = limit;
    trim();
  }

  /** True when the key is new (and remembers it), false for a repeat. */
  boolean add(String key) {
    if (!keys.add(key)) {
      return false;
    }
    trim();
    return true;
  }

  List<String> snapshot() {
    return new ArrayList<>(keys);
  }

  private void trim() {
    while (keys.size() > limit) {
      keys.remove(keys.iterator().next());
    }
  }
}
