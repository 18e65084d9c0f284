package dev.arkonis.ark.activities.budget;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A team run on a time-skipping Temporal test service: the real {@code TeamRun} and {@code
 * BudgetLedger} workflows, the real {@code chat} activity with {@link DailyBudgets}, a model that
 * spends a chosen number of output tokens per call (input tokens are estimated from the prompt, as
 * the mock provider does) and can hold calls in flight, and recording {@link NotifyActivities} and
 * {@link BudgetActivities}.
 */
final class BudgetRig {
  static final String NS = "budget-test";
  static final String AGENT = "team-writer";

  /** What the ledger handed on, in order. */
  final List<Object> reported = new CopyOnWriteArrayList<>();

  final AtomicInteger outputTokens = new AtomicInteger(60);

  /** Calls wait for a permit while {@link #holding} is set. */
  final Semaphore release = new Semaphore(0);

  final Semaphore entered = new Semaphore(0);
  volatile boolean holding;
  final AtomicInteger modelCalls = new AtomicInteger();

  private final TestWorkflowEnvironment env;
  private final int maxTokensPerCall;
  private final long maxDailyTokens;
  private int runs;

  BudgetRig(TestWorkflowEnvironment env, int maxTokensPerCall, long maxDailyTokens) {
    this.env = env;
    this.maxTokensPerCall = maxTokensPerCall;
    this.maxDailyTokens = maxDailyTokens;
    var orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(new Notify(), new Budget());
    env.newWorker(RunPlan.taskQueue(NS, AGENT))
        .registerActivitiesImplementations(
            new AgentActivitiesImpl(
                ChatModels.of("mock", new Model()),
                new DailyBudgets(env.getWorkflowClient(), BudgetLedgerWorkflow.DEFAULT_WINDOW)));
    env.start();
  }

  AgentSpec agent() {
    return new AgentSpec(
        "writer",
        AGENT,
        RunPlan.taskQueue(NS, AGENT),
        "mock-model",
        "mock",
        "You write.",
        maxTokensPerCall,
        60,
        null,
        false,
        List.of(),
        List.of(),
        List.of(),
        maxDailyTokens);
  }

  private RunPlan plan(String name) {
    return new RunPlan(
        NS,
        name,
        "team",
        Map.of(),
        Map.of(),
        Map.of("writer", agent()),
        List.of(
            new StepSpec(
                "draft",
                "writer",
                List.of(),
                Map.of("prompt", "write"),
                null,
                null,
                null,
                null,
                0,
                0)),
        null,
        null,
        0,
        0,
        3,
        Map.of());
  }

  /** Starts a run; {@link #result} waits for it. */
  WorkflowStub start() {
    String name = "run-" + ++runs;
    TeamRunWorkflow run =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RunPlan.workflowId(NS, name))
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build());
    WorkflowClient.start(run::run, plan(name));
    return WorkflowStub.fromTyped(run);
  }

  /**
   * Waits for the run by polling its status query: unlike {@code getResult}, a query does not let
   * the test service skip time, so time moves only with {@code env.sleep}.
   */
  static RunStatus result(WorkflowStub run) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        RunStatus status = run.query("status", RunStatus.class);
        if (status != null && status.finished()) {
          return status;
        }
      } catch (RuntimeException notYet) {
        // the first workflow task has not run yet
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("run did not finish in 60 s");
  }

  RunStatus runOnce() {
    return result(start());
  }

  BudgetLedgerWorkflow.Usage usage() {
    return env.getWorkflowClient()
        .newWorkflowStub(BudgetLedgerWorkflow.class, BudgetLedgerWorkflow.workflowId(NS, AGENT))
        .usage();
  }

  /** Waits until {@code n} held calls are inside the model. */
  void awaitInFlight(int n) throws InterruptedException {
    if (!entered.tryAcquire(n, 30, TimeUnit.SECONDS)) {
      throw new AssertionError(n + " calls did not reach the model");
    }
  }

  List<BudgetActivities.BudgetReport> reports() {
    return reported.stream()
        .filter(BudgetActivities.BudgetReport.class::isInstance)
        .map(BudgetActivities.BudgetReport.class::cast)
        .toList();
  }

  List<NotifyActivities.Notification> notifications() {
    return reported.stream()
        .filter(NotifyActivities.Notification.class::isInstance)
        .map(NotifyActivities.Notification.class::cast)
        .toList();
  }

  private final class Model implements ChatModel {
    @Override
    public ChatResponse doChat(ChatRequest request) {
      modelCalls.incrementAndGet();
      if (holding) {
        entered.release();
        try {
          if (!release.tryAcquire(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("held call never released");
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
      return ChatResponse.builder()
          .aiMessage(AiMessage.from("draft done"))
          .tokenUsage(new TokenUsage(null, outputTokens.get()))
          .finishReason(FinishReason.STOP)
          .build();
    }
  }

  private final class Notify implements NotifyActivities {
    @Override
    public void notify(Notification notification) {
      reported.add(notification);
    }
  }

  private final class Budget implements BudgetActivities {
    @Override
    public void report(BudgetReport report) {
      reported.add(report);
    }
  }

  static Duration hours(long h) {
    return Duration.ofHours(h);
  }
}
