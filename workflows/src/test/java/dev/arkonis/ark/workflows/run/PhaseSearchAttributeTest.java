package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunSearchAttributes;
import dev.arkonis.ark.workflows.api.RunStatus;
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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code ArkPhase} search attribute follows the run's phase: upserted by the workflow when it
 * changes, only when the run was started with the attributes.
 */
class PhaseSearchAttributeTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, boolean attributes) {
    RunSearchAttributes.ALL.forEach(env::registerSearchAttribute);
    FakeAgents agents = FakeAgents.echo();
    plan.agents().values().stream()
        .map(a -> a.taskQueue())
        .distinct()
        .forEach(q -> env.newWorker(q).registerActivitiesImplementations(agents));
    env.start();
    WorkflowOptions.Builder options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(RunPlan.workflowId(plan.namespace(), plan.runName()))
            .setTaskQueue(worker.getTaskQueue());
    if (attributes) {
      options.setTypedSearchAttributes(
          RunSearchAttributes.atStart(plan.namespace(), plan.team(), plan.runName()));
    }
    TeamRunWorkflow workflow =
        env.getWorkflowClient().newWorkflowStub(TeamRunWorkflow.class, options.build());
    WorkflowClient.start(workflow::run, plan);
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    stub.getResult(RunStatus.class);
    return stub;
  }

  /** The ArkPhase values the workflow upserted, in order. */
  private static List<String> upsertedPhases(TestWorkflowEnvironment env, WorkflowStub stub) {
    List<HistoryEvent> events =
        env.getWorkflowClient().fetchHistory(stub.getExecution().getWorkflowId()).getEvents();
    return events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .map(
            e ->
                DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
                    e.getUpsertWorkflowSearchAttributesEventAttributes()
                        .getSearchAttributes()
                        .getIndexedFieldsOrThrow("ArkPhase"),
                    String.class,
                    String.class))
        .toList();
  }

  @Test
  void theWorkflowUpsertsRunningThenTheFinalPhase(TestWorkflowEnvironment env, Worker worker) {
    RunPlan plan = Plans.builder().step(Plans.step("a")).step(Plans.step("b", "a")).build();

    WorkflowStub stub = start(env, worker, plan, true);

    assertThat(upsertedPhases(env, stub)).containsExactly("Running", "Succeeded");
  }

  @Test
  void aFailedRunEndsWithArkPhaseFailed(TestWorkflowEnvironment env, Worker worker) {
    RunPlan plan = Plans.builder().step(Plans.step("a", "missing")).build();

    WorkflowStub stub = start(env, worker, plan, true);

    assertThat(upsertedPhases(env, stub)).containsExactly("Failed");
  }

  @Test
  void aRunStartedWithoutTheAttributesUpsertsNothing(TestWorkflowEnvironment env, Worker worker) {
    RunPlan plan = Plans.builder().step(Plans.step("a")).build();

    WorkflowStub stub = start(env, worker, plan, false);

    assertThat(upsertedPhases(env, stub)).isEmpty();
  }
}
