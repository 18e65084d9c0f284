package dev.arkonis.ark.workflows.health;

import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.ProbeResult;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.Replica;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The replicas' last probe results: pure arithmetic of {@link AgentHealthWorkflowImpl}. */
final class ReplicaTable {
  private ReplicaTable() {}

  /** The table with {@code result} as its replica's latest, ordered by replica id. */
  static List<Replica> record(List<Replica> replicas, ProbeResult result, long nowMillis) {
    List<Replica> out = new ArrayList<>();
    for (Replica replica : replicas) {
      if (!replica.replica().equals(result.replica())) {
        out.add(replica);
      }
    }
    out.add(
        new Replica(
            result.replica(),
            result.healthy(),
            truncate(result.answer()),
            Math.max(1, result.intervalSeconds()),
            nowMillis));
    out.sort(Comparator.comparing(Replica::replica));
    return out;
  }

  /** The replicas heard from within their last 3 intervals (+ the probe call's timeout). */
  static List<Replica> live(List<Replica> replicas, long nowMillis) {
    return replicas.stream().filter(r -> nowMillis < expiry(r)).toList();
  }

  /** When the first replica of the table expires, or -1 for an empty table. */
  static long nextExpiry(List<Replica> replicas) {
    return replicas.stream().mapToLong(ReplicaTable::expiry).min().orElse(-1);
  }

  static int failing(List<Replica> replicas) {
    return (int) replicas.stream().filter(r -> !r.healthy()).count();
  }

  /** The answer of the failing replica heard from last, or null. */
  static String lastFailingAnswer(List<Replica> replicas) {
    return replicas.stream()
        .filter(r -> !r.healthy())
        .max(Comparator.comparingLong(Replica::seenAtMillis))
        .map(Replica::answer)
        .orElse(null);
  }

  static String truncate(String answer) {
    if (answer == null) {
      return "";
    }
    String flat = answer.strip().replaceAll("\\s+", " ");
    return flat.length() <= AgentHealthWorkflow.ANSWER_CHARS
        ? flat
        : flat.substring(0, AgentHealthWorkflow.ANSWER_CHARS - 1) + "…";
  }

  private static long expiry(Replica replica) {
    return replica.seenAtMillis()
        + 1000L
            * (AgentHealthWorkflow.MISSED_INTERVALS * replica.intervalSeconds()
                + AgentHealthWorkflow.PROBE_CALL_SECONDS);
  }
}
