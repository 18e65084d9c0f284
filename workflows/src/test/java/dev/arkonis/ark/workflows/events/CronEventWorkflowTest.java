package dev.arkonis.ark.workflows.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.CronEventWorkflow;
import dev.arkonis.ark.workflows.api.CronEventWorkflow.CronSpec;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The timer fallback for cron ArkEvents. Time starts on Thursday 2026-03-26 12:00Z, three days
 * before Berlin switches to summer time; the fake's {@code nextFireTime} is the test-only minute
 * scan documented in {@link FakeEvents}.
 */
@Timeout(120)
class CronEventWorkflowTest {
  private static final Instant START = Instant.parse("2026-03-26T12:00:00Z");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setInitialTime(START)
          .setDoNotStart(true)
          .build();

  private static final List<Target> TARGETS =
      List.of(new Target("writer", Map.of("task", "digest of {{ .trigger.firedAt }}")));

  private final FakeEvents events = new FakeEvents();

  private static CronSpec spec(String cron, String zone, String policy, boolean suspended) {
    return new CronSpec("team-ns", "digest", cron, zone, policy, suspended, TARGETS);
  }

  private CronEventWorkflow start(TestWorkflowEnvironment env, Worker worker, CronSpec spec) {
    env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerActivitiesImplementations(events);
    env.start();
    CronEventWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                CronEventWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("arkevent/team-ns/digest")
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    WorkflowClient.start(workflow::run, spec);
    return workflow;
  }

  /** The scheduled instants of the recorded fires (fire id {@code cron-<millis>}). */
  private List<String> fired() {
    return events.recorded.stream()
        .map(r -> Instant.ofEpochMilli(Long.parseLong(r.fireId().substring(5))).toString())
        .toList();
  }

  private static String at(String time) {
    return "2026-03-26T" + time + ":00Z";
  }

  private static String fireRun(String instant) {
    return EventFireWorkflow.runName("writer", "cron-" + Instant.parse(instant).toEpochMilli(), 0);
  }

  @Test
  void weekdayMorningsInBerlinFireAtNineLocalAcrossTheDstChange(
      TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec("0 9 * * 1-5", "Europe/Berlin", null, false));

    env.sleep(Duration.ofDays(10));

    assertThat(fired())
        .containsExactly(
            "2026-03-27T08:00:00Z", // Friday, CET
            "2026-03-30T07:00:00Z", // Monday, CEST
            "2026-03-31T07:00:00Z",
            "2026-04-01T07:00:00Z",
            "2026-04-02T07:00:00Z",
            "2026-04-03T07:00:00Z");
    FakeEvents.Recorded first = events.recorded.get(0);
    assertThat(first.firedAt()).startsWith("2026-03-27T08:00:0");
    assertThat(first.nextFireAt()).isEqualTo("2026-03-30T07:00:00.000Z");
    assertThat(events.created.get(0).runs().get(0).input().get("task"))
        .isEqualTo("digest of " + first.firedAt());
  }

  @Test
  void allowFiresAtEveryInstantWhileRunsAreActive(TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec("*/15 * * * *", null, "Allow", false));

    env.sleep(Duration.ofMinutes(50));

    assertThat(fired()).containsExactly(at("12:15"), at("12:30"), at("12:45"));
    assertThat(events.cancelled).isEmpty();
  }

  @Test
  void forbidSkipsAnInstantWhileThePreviousRunsAreActive(
      TestWorkflowEnvironment env, Worker worker) {
    start(env, worker, spec("*/15 * * * *", "UTC", "Forbid", false));

    env.sleep(Duration.ofMinutes(35)); // 12:15 fires, its run keeps running over 12:30
    assertThat(fired()).containsExactly(at("12:15"));
    events.finish(fireRun(at("12:15")), "Succeeded", "done");
    env.sleep(Duration.ofMinutes(15));

    assertThat(fired()).containsExactly(at("12:15"), at("12:45"));
    assertThat(events.cancelled).isEmpty();
  }

  @Test
  void replaceCancelsThePreviousRunsAndFiresAnew(TestWorkflowEnvironment env, Worker worker)
      throws Exception {
    start(env, worker, spec("*/15 * * * *", "UTC", "Replace", false));

    env.sleep(Duration.ofMinutes(35));

    assertThat(fired()).containsExactly(at("12:15"), at("12:30"));
    assertThat(events.cancelled).containsExactly(List.of(fireRun(at("12:15"))));
    String replaced =
        EventFireWorkflow.workflowId(
            "team-ns", "digest", "cron-" + Instant.parse(at("12:15")).toEpochMilli());
    assertThat(
            env.getWorkflowClient()
                .newUntypedWorkflowStub(replaced)
                .describe()
                .getWorkflowExecutionInfo()
                .getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    assertThat(
            env.getWorkflowClient()
                .newUntypedWorkflowStub(replaced)
                .getResult(EventFireWorkflow.FireResult.class)
                .phases())
        .containsEntry(fireRun(at("12:15")), "Cancelled");
    // both workflows replay their own histories deterministically
    WorkflowReplayer.replayWorkflowExecution(
        env.getWorkflowClient().fetchHistory(replaced), EventFireWorkflowImpl.class);
    WorkflowReplayer.replayWorkflowExecution(
        env.getWorkflowClient().fetchHistory("arkevent/team-ns/digest"),
        CronEventWorkflowImpl.class);
  }

  @Test
  void suspendedFiresNothingUntilResumed(TestWorkflowEnvironment env, Worker worker) {
    events.initialPhase = "Succeeded";
    CronEventWorkflow cron = start(env, worker, spec("*/15 * * * *", null, "Forbid", true));

    env.sleep(Duration.ofHours(1));
    assertThat(fired()).isEmpty();

    cron.update(spec("*/15 * * * *", null, "Forbid", false)); // 13:00
    env.sleep(Duration.ofMinutes(20));
    assertThat(fired()).containsExactly(at("13:15"));

    cron.update(spec("*/15 * * * *", null, "Forbid", true)); // 13:20
    env.sleep(Duration.ofHours(1));
    assertThat(fired()).containsExactly(at("13:15"));

    // a new cron takes effect at once, here together with resuming
    cron.update(spec("0 * * * *", null, "Forbid", false)); // 14:20
    env.sleep(Duration.ofHours(2));
    assertThat(fired()).containsExactly(at("13:15"), at("15:00"), at("16:00"));
  }

  @Test
  void continuesAsNewOnceTheWatchedFireHasEnded(TestWorkflowEnvironment env, Worker worker) {
    events.initialPhase = "Succeeded";
    CronEventWorkflow cron = start(env, worker, spec("* * * * *", null, "Forbid", false));
    String firstRun = WorkflowStub.fromTyped(cron).getExecution().getRunId();

    // fires 1..99 finish at once; the 100th keeps running
    env.sleep(Duration.ofMinutes(99).plusSeconds(30));
    assertThat(fired()).hasSize(99);
    events.initialPhase = "Running";
    env.sleep(Duration.ofMinutes(3)); // 13:40 fires, 13:41 and 13:42 are skipped
    assertThat(fired()).hasSize(100).last().isEqualTo(at("13:40"));
    assertThat(currentRunId(env)).isEqualTo(firstRun);
    events.finish(fireRun(at("13:40")), "Succeeded", "done");
    events.initialPhase = "Succeeded";
    env.sleep(Duration.ofSeconds(20)); // the fire sees its run finish and ends: continue as new

    assertThat(currentRunId(env)).isNotEqualTo(firstRun);
    env.sleep(Duration.ofSeconds(30));
    assertThat(fired()).hasSize(101).last().isEqualTo(at("13:43"));
  }

  @Test
  void aFireHandedOverInTheMemoIsWatched(TestWorkflowEnvironment env, Worker worker) {
    // what a run that had to continue as new during a long fire leaves in the memo
    String old = fireRun(at("11:45"));
    events.finish(old, "Running", null);
    env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerActivitiesImplementations(events);
    env.start();
    CronEventWorkflow cron =
        env.getWorkflowClient()
            .newWorkflowStub(
                CronEventWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("arkevent/team-ns/digest")
                    .setTaskQueue(worker.getTaskQueue())
                    .setMemo(
                        Map.of(
                            PreviousFire.MEMO_KEY,
                            new PreviousFire.Handover(
                                "arkevent/team-ns/digest/cron-x", List.of(old))))
                    .build());
    WorkflowClient.start(cron::run, spec("*/15 * * * *", null, "Forbid", false));

    env.sleep(Duration.ofMinutes(20));
    assertThat(fired()).isEmpty(); // 12:15 skipped: the handed-over run is active

    cron.update(spec("*/15 * * * *", null, "Replace", false));
    env.sleep(Duration.ofMinutes(15));
    assertThat(events.cancelled).containsExactly(List.of(old));
    assertThat(fired()).containsExactly(at("12:30"));
  }

  private static String currentRunId(TestWorkflowEnvironment env) {
    return env.getWorkflowClient()
        .newUntypedWorkflowStub("arkevent/team-ns/digest")
        .describe()
        .getWorkflowExecutionInfo()
        .getExecution()
        .getRunId();
  }
}
