package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;
import java.util.Map;

/** What event workflows need from Kubernetes; runs on the operator's queue. Idempotent. */
@ActivityInterface
public interface EventActivities {
  /**
   * Creates the ArkRuns of one fire (labels {@code arkonis.dev/event}, {@code arkonis.dev/team};
   * {@code spec.triggeredBy {kind: ArkEvent, name}}). A run that already exists is left as is, so a
   * retried activity creates nothing twice.
   */
  @ActivityMethod(name = "createRuns")
  void createRuns(String namespace, String event, List<NewRun> runs);

  /** Current phase and output of each run (missing runs are reported as {@code Cancelled}). */
  @ActivityMethod(name = "runStates")
  Map<String, RunState> runStates(String namespace, List<String> runs);

  /** Deletes the runs (their finalizer cancels running workflows): concurrencyPolicy Replace. */
  @ActivityMethod(name = "cancelRuns")
  void cancelRuns(String namespace, List<String> runs);

  /**
   * Records a fire in the ArkEvent's status: {@code lastFiredAt}, {@code firedCount} (counted once
   * per {@code fireId}), {@code lastRuns}, and {@code nextFireAt} when known.
   */
  @ActivityMethod(name = "recordFire")
  void recordFire(
      String namespace,
      String event,
      String fireId,
      String firedAt,
      List<NewRun> runs,
      String nextFireAt);

  /**
   * Next fire time (epoch millis) of a 5-field cron in an IANA zone strictly after {@code after}.
   */
  @ActivityMethod(name = "nextFireTime")
  long nextFireTime(String cron, String timezone, long after);

  /** An ArkRun to create. */
  record NewRun(String name, String team, Map<String, Object> input) {}

  /** A run's phase and, when it succeeded, its output. */
  record RunState(String phase, String output) {}
}
