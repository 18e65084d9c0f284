package dev.arkonis.ark.workflows.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sliding-window rate limit per bucket (subject and event type): a message is allowed when fewer
 * than {@code maxPerWindow} messages of its bucket were allowed in the last {@code windowSeconds}.
 * Pure and deterministic (times are given), so the workflow can keep it across continue-as-new.
 */
final class RateWindows {
  private final Map<String, List<Long>> sent = new LinkedHashMap<>();

  RateWindows(Map<String, List<Long>> initial) {
    initial.forEach((bucket, times) -> sent.put(bucket, new ArrayList<>(times)));
  }

  /**
   * True when the message may be sent now (and records it), false when it is over the limit.
   *
   * @param windowSeconds 0 or less: no limit
   */
  boolean allow(String bucket, long nowMillis, int windowSeconds, int maxPerWindow) {
    if (windowSeconds <= 0 || maxPerWindow <= 0) {
      return true;
    }
    long since = nowMillis - windowSeconds * 1000L;
    List<Long> times = sent.computeIfAbsent(bucket, b -> new ArrayList<>());
    times.removeIf(t -> t <= since);
    if (times.size() >= maxPerWindow) {
      return false;
    }
    times.add(nowMillis);
    return true;
  }

  /**
   * The buckets with their send times, for continue-as-new: at most {@code maxPerWindow} times
   * each, as every call prunes its bucket.
   */
  Map<String, List<Long>> snapshot() {
    Map<String, List<Long>> out = new LinkedHashMap<>();
    sent.forEach(
        (bucket, times) -> {
          if (!times.isEmpty()) {
            out.put(bucket, List.copyOf(times));
          }
        });
    return out;
  }

  /** The bucket of a subject's event type. */
  static String bucket(String subjectKind, String subjectName, String type) {
    return subjectKind + "/" + subjectName + "/" + type;
  }
}
