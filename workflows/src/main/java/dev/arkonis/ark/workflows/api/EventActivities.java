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
   * annotation {@code arkonis.dev/fire} = the fire id; {@code spec.triggeredBy {kind: ArkEvent,
   * name}}). A run of this fire that already exists is adopted, so a retried activity creates
   * nothing twice; an ArkRun of that name that belongs to something else (another fire, a user) is
   * left alone and the run gets another name.
   *
   * @return the names the runs have, in the order of {@code runs}
   */
  @ActivityMethod(name = "createRuns")
  List<String> createRuns(String namespace, String event, List<NewRun> runs);

  /** Current phase and output of each run (missing runs are reported as {@code Cancelled}). */
  @ActivityMethod(name = "runStates")
  Map<String, RunState> runStates(String namespace, List<String> runs);

  /**
   * The states of the runs once none is active any more; while one is, fails with a retryable
   * {@code ApplicationFailure} of type {@value #RUNS_ACTIVE}, so the activity's retry policy is the
   * polling loop (retries add nothing to the workflow's history).
   */
  @ActivityMethod(name = "awaitRuns")
  Map<String, RunState> awaitRuns(String namespace, List<String> runs);

  /** Failure type of {@link #awaitRuns} while a run is still active. */
  String RUNS_ACTIVE = "RunsActive";

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

  /**
   * An ArkRun to create.
   *
   * @param fireId the fire creating it (null in fires started before it was recorded)
   */
  record NewRun(String name, String team, Map<String, Object> input, String fireId) {
    public NewRun(String name, String team, Map<String, Object> input) {
      this(name, team, input, null);
    }
  }

  /** A run's phase and, when it succeeded, its output. */
  record RunState(String phase, String output) {}
}
