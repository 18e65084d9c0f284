package dev.arkonis.ark.workflows.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Grant;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.LedgerState;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Reservation;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Spent;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The ledger workflow itself: continue-as-new, crashed calls, completion, replay. */
@Timeout(120)
class BudgetLedgerWorkflowTest {
  private static final String ID = BudgetLedgerWorkflow.workflowId("ns", "writer");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .setInitialTime(Instant.parse("2026-05-04T06:00:00Z"))
          .setDoNotStart(true)
          .build();

  private final List<Object> reported = new CopyOnWriteArrayList<>();

  private WorkflowClient start(TestWorkflowEnvironment env) {
    Worker worker = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    worker.registerActivitiesImplementations(
        (BudgetActivities) reported::add, (NotifyActivities) reported::add);
    env.start();
    return env.getWorkflowClient();
  }

  private static BudgetLedgerWorkflow ledger(WorkflowClient client) {
    return client.newWorkflowStub(
        BudgetLedgerWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(ID)
            .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
            .setWorkflowIdConflictPolicy(
                WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .build());
  }

  private static Grant reserve(WorkflowClient client, String id, long limit) {
    BudgetLedgerWorkflow ledger = ledger(client);
    return WorkflowClient.executeUpdateWithStart(
        ledger::reserve,
        new Reservation(id, 5, 50, limit, 60),
        UpdateOptions.<Grant>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
        new WithStartWorkflowOperation<>(
            ledger::run, LedgerState.start("ns", "writer", Duration.ofHours(24))));
  }

  private static void commit(WorkflowClient client, String id, long in, long out) {
    BudgetLedgerWorkflow ledger = ledger(client);
    WorkflowClient.executeUpdateWithStart(
        ledger::commit,
        new Spent(id, in, out),
        UpdateOptions.<Void>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
        new WithStartWorkflowOperation<>(
            ledger::run, LedgerState.start("ns", "writer", Duration.ofHours(24))));
  }

  private static WorkflowExecutionStatus status(TestWorkflowEnvironment env) {
    return env.getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace())
                .setExecution(
                    io.temporal.api.common.v1.WorkflowExecution.newBuilder()
                        .setWorkflowId(ID)
                        .build())
                .build())
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  @Test
  void continuesAsNewCarryingTheWindow(TestWorkflowEnvironment env) {
    WorkflowClient client = start(env);
    int calls = BudgetLedgerWorkflowImpl.UPDATES_PER_RUN / 2 + 10;
    for (int i = 0; i < calls; i++) {
      assertThat(reserve(client, "c" + i, 1_000_000).granted()).isTrue();
      commit(client, "c" + i, 1, 1);
    }
    env.sleep(Duration.ofMinutes(1));
    BudgetLedgerWorkflow.Usage usage =
        client.newWorkflowStub(BudgetLedgerWorkflow.class, ID).usage();
    assertThat(usage.totalTokens()).isEqualTo(2L * calls);
    assertThat(usage.held()).isZero();
    WorkflowExecutionHistory history = client.fetchHistory(ID);
    assertThat(history.getEvents().get(0).getEventType())
        .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    assertThat(
            history
                .getEvents()
                .get(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getContinuedExecutionRunId())
        .isNotEmpty(); // the current run was continued from an earlier one
  }

  @Test
  void aCrashedCallsHoldExpiresAndTheIdleLedgerCompletes(TestWorkflowEnvironment env)
      throws Exception {
    WorkflowClient client = start(env);
    assertThat(reserve(client, "a", 112).granted()).isTrue(); // holds 5 + 50
    assertThat(reserve(client, "b", 112).granted()).isTrue(); // holds 5 + 50
    assertThat(reserve(client, "c", 112).granted()).isFalse(); // 110 held + 5 >= 112
    // "a" and "b" never commit (their worker died): the holds expire after the call timeout
    env.sleep(Duration.ofSeconds(61));
    assertThat(client.newWorkflowStub(BudgetLedgerWorkflow.class, ID).usage().held()).isZero();
    assertThat(reserve(client, "c", 112).granted()).isTrue();
    commit(client, "c", 10, 20);
    env.sleep(Duration.ofHours(24).plusMinutes(1));
    assertThat(status(env)).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    BudgetActivities.BudgetReport last =
        (BudgetActivities.BudgetReport) reported.get(reported.size() - 1);
    assertThat(last.totalTokens()).isZero(); // the status says the window is empty

    WorkflowReplayer.replayWorkflowExecution(
        client.fetchHistory(ID), BudgetLedgerWorkflowImpl.class);
  }
}
