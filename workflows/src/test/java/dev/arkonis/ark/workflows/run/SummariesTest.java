package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every activity and timer of a run carries a summary for the Temporal Web UI. */
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
    RunPlan plan =
        Plans.builder()
            .step(Plans.step("a"))
            .step(timed)
            .timeout(300)
            .build()
            .withStatusTaskQueue(worker.getTaskQueue());
    worker.registerActivitiesImplementations((RunStatusActivities) (ref, status) -> {});
    FakeAgents agents = FakeAgents.echo();
    plan.agents().values().stream()
        .map(a -> a.taskQueue())
        .distinct()
        .forEach(q -> env.newWorker(q).registerActivitiesImplementations(agents));
    env.start();
    TeamRunWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RunPlan.workflowId(plan.namespace(), plan.runName()))
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    WorkflowClient.start(workflow::run, plan);
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    assertThat(stub.getResult(RunStatus.class).phase()).isEqualTo("Succeeded");

    List<String> activities = new ArrayList<>();
    List<String> timers = new ArrayList<>();
    for (HistoryEvent e :
        env.getWorkflowClient().fetchHistory(stub.getExecution().getWorkflowId()).getEvents()) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED) {
        activities.add(summary(e));
      } else if (e.getEventType() == EventType.EVENT_TYPE_TIMER_STARTED) {
        timers.add(summary(e));
      }
    }
    assertThat(activities)
        .contains("task · step a · role a", "task · step b · role b", "status of ArkRun test/run-1")
        .allSatisfy(s -> assertThat(s).isNotBlank());
    assertThat(timers)
        .contains("spec.timeoutSeconds of the run", "timeoutSeconds of step b")
        .allSatisfy(s -> assertThat(s).isNotBlank());
  }

  private static String summary(HistoryEvent e) {
    if (!e.getUserMetadata().hasSummary()) {
      return "";
    }
    return DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
        e.getUserMetadata().getSummary(), String.class, String.class);
  }
}
