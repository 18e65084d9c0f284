package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A team's ArkRuns: the newest is {@code status.lastRun}; finished runs beyond {@code
 * successfulRunsHistoryLimit} (Succeeded) and {@code failedRunsHistoryLimit} (Failed, TimedOut,
 * BudgetExceeded, Cancelled) are deleted, oldest first.
 */
final class TeamRuns {
  static final Set<String> FAILED = Set.of("Failed", "TimedOut", "BudgetExceeded", "Cancelled");
  static final String SUCCEEDED = "Succeeded";
  private static final int DEFAULT_LIMIT = 10;
  private static final JsonNode NONE = JsonNodeFactory.instance.nullNode();

  /** Parsed times by their text, bounded: cleared when it reaches {@link #PARSED_MAX}. */
  private static final Map<String, Instant> PARSED = new ConcurrentHashMap<>();

  private static final int PARSED_MAX = 50_000;

  /** A run with its sort keys, parsed once (a team may have 10,000 runs). */
  private record Dated(ArkRun run, Instant started, Instant created, String name) {
    static Dated of(ArkRun run) {
      return new Dated(
          run, TeamRuns.started(run), TeamRuns.created(run), run.getMetadata().getName());
    }
  }

  /** Newest first: start time (creation time until started), then creation time, then name. */
  private static final Comparator<Dated> NEWEST_FIRST =
      Comparator.comparing(Dated::started)
          .thenComparing(Dated::created)
          .thenComparing(Dated::name)
          .reversed();

  private TeamRuns() {}

  /**
   * The runs of a team: labelled {@code arkonis.dev/team=<team>} or naming it in {@code teamRef}.
   */
  static boolean belongs(ArkRun run, String team) {
    Map<String, String> labels = run.getMetadata().getLabels();
    if (labels != null && team.equals(labels.get(ArkTeamReconciler.TEAM_LABEL))) {
      return true;
    }
    return run.getSpec() != null
        && run.getSpec().getTeamRef() != null
        && team.equals(run.getSpec().getTeamRef().getName());
  }

  /** The team name of a run (label first), or null. */
  static String team(ArkRun run) {
    Map<String, String> labels = run.getMetadata().getLabels();
    String label = labels == null ? null : labels.get(ArkTeamReconciler.TEAM_LABEL);
    if (label != null && !label.isEmpty()) {
      return label;
    }
    return run.getSpec() == null || run.getSpec().getTeamRef() == null
        ? null
        : run.getSpec().getTeamRef().getName();
  }

  /**
   * Deletes the finished runs beyond the history limits and returns {@code lastRun} for the status
   * ({@code null} JSON when the team has no run).
   */
  static JsonNode prune(KubernetesClient client, Caches caches, ArkTeam team) {
    String name = team.getMetadata().getName();
    List<Dated> dated = new ArrayList<>();
    for (ArkRun run : caches.list(ArkRun.class, team.getMetadata().getNamespace())) {
      if (run.getMetadata().getDeletionTimestamp() == null && belongs(run, name)) {
        dated.add(Dated.of(run));
      }
    }
    int keepSucceeded = limit(team.getSpec().getSuccessfulRunsHistoryLimit());
    int keepFailed = limit(team.getSpec().getFailedRunsHistoryLimit());
    int succeededRuns = 0;
    int failedRuns = 0;
    for (Dated d : dated) {
      String phase = phase(d.run());
      succeededRuns += SUCCEEDED.equals(phase) ? 1 : 0;
      failedRuns += FAILED.contains(phase) ? 1 : 0;
    }
    if (succeededRuns <= keepSucceeded && failedRuns <= keepFailed) {
      // nothing to delete (the common case, at every run's phase change): the newest is enough
      return dated.stream().min(NEWEST_FIRST).map(d -> lastRun(d.run())).orElse(NONE);
    }
    dated.sort(NEWEST_FIRST);
    List<ArkRun> runs = dated.stream().map(Dated::run).toList();
    List<ArkRun> kept = new ArrayList<>();
    for (ArkRun run : runs) {
      String phase = phase(run);
      boolean succeeded = SUCCEEDED.equals(phase);
      boolean failed = FAILED.contains(phase);
      if ((succeeded && keepSucceeded-- <= 0) || (failed && keepFailed-- <= 0)) {
        client.resource(run).delete();
      } else {
        kept.add(run);
      }
    }
    return kept.isEmpty() ? NONE : lastRun(kept.get(0));
  }

  private static JsonNode lastRun(ArkRun newest) {
    ObjectNode lastRun = JsonNodeFactory.instance.objectNode();
    lastRun.put("name", newest.getMetadata().getName());
    lastRun.put("phase", phase(newest).isEmpty() ? "Pending" : phase(newest));
    String start = startTime(newest);
    if (start != null) {
      lastRun.put("startTime", start);
    }
    return lastRun;
  }

  static String phase(ArkRun run) {
    return run.getStatus() == null || run.getStatus().getPhase() == null
        ? ""
        : run.getStatus().getPhase().getValue();
  }

  private static int limit(Integer limit) {
    return limit == null ? DEFAULT_LIMIT : Math.max(0, limit);
  }

  private static String startTime(ArkRun run) {
    if (run.getStatus() != null && run.getStatus().getStartTime() != null) {
      return run.getStatus().getStartTime();
    }
    return run.getMetadata().getCreationTimestamp();
  }

  private static Instant started(ArkRun run) {
    return instant(startTime(run));
  }

  private static Instant created(ArkRun run) {
    return instant(run.getMetadata().getCreationTimestamp());
  }

  /**
   * The instant of an RFC 3339 time, parsed once per distinct text while the cache holds it (a
   * team's reconcile reads two times of each of its runs, possibly 10,000).
   */
  private static Instant instant(String time) {
    if (time == null) {
      return Instant.MIN;
    }
    Instant cached = PARSED.get(time);
    if (cached != null) {
      return cached;
    }
    Instant parsed;
    try {
      parsed = Instant.parse(time);
    } catch (DateTimeParseException e) {
      parsed = Instant.MIN;
    }
    if (PARSED.size() >= PARSED_MAX) {
      PARSED.clear();
    }
    PARSED.put(time, parsed);
    return parsed;
  }
}
