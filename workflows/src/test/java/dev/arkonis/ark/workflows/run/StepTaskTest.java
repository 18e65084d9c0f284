package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow.StepTaskInput;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow.StepTaskResult;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A looping step as a StepTask child: continue-as-new, cancellation, timeout, budget. */
class StepTaskTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static StepSpec loop(String name, int iterations, int timeoutSeconds, int retries) {
    return new StepSpec(
        name,
        name,
        List.of(),
        Map.of("prompt", "again: {{ .steps." + name + ".output }}"),
        null,
        null,
        new StepSpec.Loop("true", iterations),
        null,
        timeoutSeconds,
        retries);
  }

  private static WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents) {
    return Plans.start(env, worker, plan, agents);
  }

  @Test
  void aStepTaskContinuesAsNewBetweenIterationsCarryingTheStep(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    env.newWorker(RunPlan.taskQueue(Plans.NS, "team-draft"))
        .registerActivitiesImplementations(agents);
    env.start();
    String id = "arkrun/test/long/step/draft";
    StepTaskWorkflow task =
        env.getWorkflowClient()
            .newWorkflowStub(
                StepTaskWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    StepTaskResult result =
        task.run(
            new StepTaskInput(
                Plans.NS,
                "long",
                Map.of("draft", Plans.agent("draft", 0)),
                loop("draft", 4, 0, -1),
                "write",
                Map.of(),
                Map.of(),
                List.of(),
                2,
                0,
                5,
                null,
                "team"));

    assertThat(result.phase()).isEqualTo(Phases.SUCCEEDED);
    StepStatus step = result.steps().get(0);
    assertThat(step.iterations()).isEqualTo(4);
    assertThat(step.tokenUsage()).isEqualTo(new TokenUsage(40, 20)); // carried over each run
    assertThat(step.output()).isEqualTo("draft done");
    assertThat(agents.calls).hasSize(4);
    List<String> runs = new ArrayList<>();
    WorkflowExecutionHistory last = env.getWorkflowClient().fetchHistory(id);
    String first =
        last.getEvents()
            .get(0)
            .getWorkflowExecutionStartedEventAttributes()
            .getFirstExecutionRunId();
    String run = first;
    while (run != null) {
      runs.add(run);
      WorkflowExecutionHistory h = env.getWorkflowClient().fetchHistory(id, run);
      var end = h.getLastEvent();
      run =
          end.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
              ? end.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId()
              : null;
    }
    assertThat(runs).as("one run per iteration (5 events are fewer than one)").hasSize(4);
  }

  @Test
  void semanticRetriesContinueAsNewCarryingTheReviewersFeedback(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r ->
                FakeAgents.reply(r.purpose().equals("validate") ? "INVALID: too short" : "answer"));
    env.newWorker(RunPlan.taskQueue(Plans.NS, "team-essay"))
        .registerActivitiesImplementations(agents);
    env.start();
    String id = "arkrun/test/picky/step/essay";
    StepSpec essay =
        new StepSpec(
            "essay",
            "essay",
            List.of(),
            Map.of("prompt", "write"),
            null,
            null,
            null,
            new StepSpec.Validation("Is it long?", "retry", 5),
            0,
            -1);
    StepTaskResult result =
        env.getWorkflowClient()
            .newWorkflowStub(
                StepTaskWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(worker.getTaskQueue())
                    .build())
            .run(
                new StepTaskInput(
                    Plans.NS,
                    "picky",
                    Map.of("essay", Plans.agent("essay", 0)),
                    essay,
                    "write",
                    Map.of(),
                    Map.of(),
                    List.of(),
                    2,
                    0,
                    5,
                    null,
                    "team"));

    assertThat(result.phase()).isEqualTo(Phases.FAILED);
    assertThat(result.message())
        .isEqualTo("semantic validation failed after 6 tries: INVALID: too short");
    List<FakeAgents.Call> tasks =
        agents.calls.stream().filter(c -> c.purpose().equals("task")).toList();
    assertThat(tasks).hasSize(6);
    assertThat(tasks.get(0).lastMessage()).isEqualTo("write");
    assertThat(tasks.subList(1, 6))
        .allSatisfy(
            c ->
                assertThat(c.lastMessage())
                    .isEqualTo(
                        "write\n\nA reviewer rejected your previous answer: INVALID: too short"
                            + "\nTry again."));
    assertThat(result.steps().get(0).attempts()).isEqualTo(6);
    WorkflowExecutionHistory last = env.getWorkflowClient().fetchHistory(id);
    assertThat(
            last.getEvents()
                .get(0)
                .getWorkflowExecutionStartedEventAttributes()
                .getContinuedExecutionRunId())
        .as("the last run continued an earlier one")
        .isNotEmpty();
  }

  @Test
  void aStepWithManySemanticRetriesRunsAsAChild(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    StepSpec essay =
        new StepSpec(
            "essay",
            "essay",
            List.of(),
            Map.of("prompt", "write"),
            null,
            null,
            null,
            new StepSpec.Validation("Is it long?", "retry", StepTasks.RETRIES_IN_RUN + 1),
            0,
            -1);
    RunStatus status =
        start(env, worker, Plans.builder().step(essay).build(), agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(Plans.closedStatus(env, "arkrun/test/run-1/step/essay"))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }

  @Test
  void aLoopStepRunsAsAChildAndItsStatusComesBackIntoTheRun(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    RunPlan plan =
        Plans.builder().step(loop("draft", 3, 0, -1)).output("{{ .steps.draft.output }}!").build();
    RunStatus status = start(env, worker, plan, agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(status.output()).isEqualTo("draft done!");
    StepStatus draft = status.steps().get(0);
    assertThat(draft.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(draft.iterations()).isEqualTo(3);
    assertThat(status.totalTokenUsage()).isEqualTo(new TokenUsage(30, 15));
    assertThat(Plans.closedStatus(env, "arkrun/test/run-1/step/draft"))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
  }

  @Test
  void theRunShowsALoopStepsProgressWhileItsChildRuns(TestWorkflowEnvironment env, Worker worker)
      throws InterruptedException {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    FakeAgents agents =
        new FakeAgents(
            r -> {
              if (calls.incrementAndGet() == 3) {
                try {
                  release.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return FakeAgents.reply("draft " + calls.get());
            });
    WorkflowStub stub =
        start(env, worker, Plans.builder().step(loop("draft", 3, 0, -1)).build(), agents);

    StepStatus draft = null;
    for (int i = 0; i < 200 && (draft == null || draft.iterations() < 2); i++) {
      Thread.sleep(100);
      draft = stub.query("status", RunStatus.class).steps().get(0);
    }
    release.countDown();

    assertThat(draft.phase()).isEqualTo(Phases.RUNNING);
    assertThat(draft.iterations()).isEqualTo(2);
    assertThat(draft.output()).isEqualTo("draft 2");
    assertThat(draft.tokenUsage()).isEqualTo(new TokenUsage(20, 10));
    RunStatus done = stub.getResult(RunStatus.class);
    assertThat(done.steps().get(0).iterations()).isEqualTo(3);
    assertThat(done.steps().get(0).phase()).isEqualTo(Phases.SUCCEEDED);
  }

  @Test
  void aLoopStepOverTheRunsTokenBudgetStopsTheRun(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    RunPlan plan = Plans.builder().step(loop("draft", 10, 0, -1)).maxTokens(40, 0).build();
    RunStatus status = start(env, worker, plan, agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo(Phases.BUDGET_EXCEEDED);
    assertThat(status.failedStep()).isEqualTo("draft");
    assertThat(agents.calls.size()).isLessThan(10);
  }

  @Test
  void aLoopStepPastItsTimeoutEndsTimedOutAndItsChildIsCancelled(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
            });
    RunPlan plan = Plans.builder().step(loop("slow", 5, 2, 100)).build();
    RunStatus status = start(env, worker, plan, agents).getResult(RunStatus.class);

    assertThat(status.phase()).isEqualTo(Phases.FAILED);
    assertThat(status.steps().get(0).phase()).isEqualTo(Phases.TIMED_OUT);
    assertThat(status.message()).contains("step exceeded timeoutSeconds (2s)");
    assertThat(Plans.closedStatus(env, "arkrun/test/run-1/step/slow"))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
  }

  @Test
  void cancellingTheRunCancelsItsLoopStep(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r -> {
              throw ApplicationFailure.newFailure("provider overloaded", "ProviderUnavailable");
            });
    WorkflowStub stub =
        start(env, worker, Plans.builder().step(loop("a", 5, 0, 100)).build(), agents);
    env.sleep(Duration.ofSeconds(5));

    stub.cancel();

    assertThatThrownBy(() -> stub.getResult(RunStatus.class))
        .isInstanceOf(WorkflowFailedException.class);
    RunStatus status = stub.query("status", RunStatus.class);
    assertThat(status.phase()).isEqualTo(Phases.CANCELLED);
    assertThat(status.steps().get(0).phase()).isEqualTo(Phases.CANCELLED);
    assertThat(Plans.closedStatus(env, "arkrun/test/run-1/step/a"))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
  }
}
