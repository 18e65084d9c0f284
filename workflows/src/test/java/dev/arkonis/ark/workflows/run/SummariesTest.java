package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.StepSpec;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every activity and timer of a run carries a summary for the Temporal Web UI; a run starts one
 * timer for its timeout and none without one ({@link RunWait}).
 */
class SummariesTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  @Test
  void everyActivityAndTimerOfARunHasASummary(TestWorkflowEnvironment env, Worker worker) {
    StepSpec timed =
        new StepSpec(
            "b", "b", List.of("a"), Map.of("prompt", "do b"), null, null, null, null, 60, -1);
    List<HistoryEvent> history =
        run(
            env,
            worker,
            Plans.builder().step(Plans.step("a")).step(timed).timeout(300).build(),
            FakeAgents.echo(),
            "Succeeded");

    assertThat(summaries(history, EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED))
        .contains("task · step a · role a", "task · step b · role b", "status of ArkRun test/run-1")
        .allSatisfy(s -> assertThat(s).isNotBlank());
    // one timer for the run's timeout however often the run loop wakes up, one for the step's
    assertThat(summaries(history, EventType.EVENT_TYPE_TIMER_STARTED))
        .containsExactlyInAnyOrder("spec.timeoutSeconds of the run", "timeoutSeconds of step b");
  }

  @Test
  void aRunWithoutATimeoutStartsNoTimer(TestWorkflowEnvironment env, Worker worker) {
    List<HistoryEvent> history =
        run(
            env,
            worker,
            Plans.builder().step(Plans.step("a")).step(Plans.step("b", "a")).build(),
            FakeAgents.echo(),
            "Succeeded");
    assertThat(summaries(history, EventType.EVENT_TYPE_TIMER_STARTED)).isEmpty();
  }

  @Test
  void aRunTimesOutOnItsOneTimer(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents overloaded =
        new FakeAgents(
            r -> {
              if (r.step().equals("b")) {
                throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
              }
              return FakeAgents.reply(r.step() + " done");
            });
    // b's three attempts take 3 s; the loop wakes for a, b and the status writes before then
    List<HistoryEvent> history =
        run(
            env,
            worker,
            Plans.builder().step(Plans.step("a")).step(Plans.step("b", "a")).timeout(2).build(),
            overloaded,
            "TimedOut");
    assertThat(summaries(history, EventType.EVENT_TYPE_TIMER_STARTED))
        .containsExactly("spec.timeoutSeconds of the run");
    assertThat(history)
        .filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_TIMER_FIRED)
        .hasSize(1);
  }

  /** Runs {@code plan} to {@code phase} and returns its history. */
  private static List<HistoryEvent> run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents, String phase) {
    RunPlan written = plan.withStatusTaskQueue(worker.getTaskQueue());
    worker.registerActivitiesImplementations((RunStatusActivities) (ref, status) -> {});
    WorkflowStub stub = Plans.start(env, worker, written, agents);
    RunStatus status = stub.getResult(RunStatus.class);
    assertThat(status.phase()).as(status.message()).isEqualTo(phase);
    return env.getWorkflowClient().fetchHistory(stub.getExecution().getWorkflowId()).getEvents();
  }

  private static List<String> summaries(List<HistoryEvent> history, EventType type) {
    List<String> summaries = new ArrayList<>();
    for (HistoryEvent e : history) {
      if (e.getEventType() == type) {
        summaries.add(summary(e));
      }
    }
    return summaries;
  }

  private static String summary(HistoryEvent e) {
    if (!e.getUserMetadata().hasSummary()) {
      return "";
    }
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
        e.getUserMetadata().getSummary(), String.class, String.class);
  }
}
