package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.api.history.v1.ActivityTaskScheduledEventAttributes;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A run whose agent has no worker (scaled to 0, budget stop) ends instead of waiting forever: every
 * call on an agent's queue has a schedule-to-start limit, and the chat call a heartbeat timeout.
 * (The test server does not skip time while a task waits in a queue nobody polls, so the limit is
 * checked in the scheduled command, and the message from the failure Temporal then delivers.)
 */
@Timeout(60)
class StuckWaitsTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  @Test
  void aChatCallWaitsForAWorkerAtMostTheQueueWaitAndHeartbeats(
      TestWorkflowEnvironment env, Worker worker) throws Exception {
    RunPlan plan = Plans.builder().step(Plans.step("a")).build(); // no timeoutSeconds
    env.start(); // and no worker on the agent's queue
    TeamRunWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("stuck")
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    WorkflowClient.start(workflow::run, plan);

    ActivityTaskScheduledEventAttributes chat = null;
    for (int i = 0; i < 100 && chat == null; i++) {
      Optional<HistoryEvent> scheduled =
          env.getWorkflowClient().fetchHistory("stuck").getEvents().stream()
              .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
              .findFirst();
      if (scheduled.isPresent()) {
        chat = scheduled.get().getActivityTaskScheduledEventAttributes();
      } else {
        Thread.sleep(100);
      }
    }
    WorkflowStub.fromTyped(workflow).terminate("test done");

    assertThat(chat).as("chat activity scheduled").isNotNull();
    assertThat(chat.getActivityType().getName()).isEqualTo("chat");
    assertThat(chat.getTaskQueue().getName()).isEqualTo(RunPlan.taskQueue(Plans.NS, "team-a"));
    assertThat(chat.getScheduleToStartTimeout().getSeconds())
        .isEqualTo(AgentCalls.QUEUE_WAIT.toSeconds())
        .isEqualTo(Duration.ofMinutes(10).toSeconds());
    assertThat(chat.getHeartbeatTimeout().getSeconds())
        .isEqualTo(AgentCalls.HEARTBEAT_TIMEOUT.toSeconds());
  }

  @Test
  void aCallNobodyPickedUpNamesTheQueueTheAgentAndWhatToDo() {
    AgentSpec agent = Plans.agent("a", 0);
    ActivityFailure failure =
        new ActivityFailure(
            "activity timed out",
            5,
            0,
            "chat",
            "1",
            RetryState.RETRY_STATE_NON_RETRYABLE_FAILURE,
            "",
            new TimeoutFailure(null, null, TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START));

    String message = AgentCalls.describe(failure, agent, 3);

    assertThat(message)
        .isEqualTo(
            "LLM call to mock-model (agent team-a) was not picked up: no worker polls task queue"
                + " ark/test/team-a (nothing picked the call up for 10 minutes): ArkAgent team-a"
                + " has no ready replica (scaled to 0, or stopped by its daily token budget:"
                + " BudgetExceeded?) or all its replicas are busy; check 'kubectl get arkagent"
                + " team-a' and its conditions, then retry the run with spec.retryOf");
  }
}
