package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.SecretRef;
import dev.arkonis.ark.workflows.api.StepStatus;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AgentMemoryWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  static final MemorySpec MEMORY =
      new MemorySpec(
          Plans.NS,
          "notes",
          "team-a",
          MemorySpec.REDIS,
          "",
          "",
          "",
          3600,
          10,
          new SecretRef(Plans.NS, "redis", "REDIS_URL"));

  /** A scripted memory: recall answers what the test says, every request is recorded. */
  static final class FakeMemory implements MemoryActivities {
    final List<RecallRequest> recalls = new CopyOnWriteArrayList<>();
    final List<StoreRequest> stores = new CopyOnWriteArrayList<>();
    final Function<RecallRequest, Recalled> answer;

    FakeMemory(Function<RecallRequest, Recalled> answer) {
      this.answer = answer;
    }

    @Override
    public Recalled recall(RecallRequest request) {
      recalls.add(request);
      return answer.apply(request);
    }

    @Override
    public Stored store(StoreRequest request) {
      stores.add(request);
      return new Stored(null);
    }
  }

  private static RunPlan withMemory(RunPlan plan, MemorySpec memory) {
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    plan.agents()
        .forEach(
            (role, a) ->
                agents.put(
                    role,
                    new AgentSpec(
                        a.role(),
                        a.agent(),
                        a.taskQueue(),
                        a.model(),
                        a.provider(),
                        a.systemPrompt(),
                        a.maxTokensPerCall(),
                        a.timeoutSeconds(),
                        a.temperature(),
                        a.jsonMode(),
                        a.canDelegate(),
                        a.mcpServers(),
                        a.tools(),
                        a.maxDailyTokens(),
                        a.systemPromptSecret(),
                        memory)));
    return new RunPlan(
        plan.namespace(),
        plan.runName(),
        plan.team(),
        plan.input(),
        plan.trigger(),
        agents,
        plan.steps(),
        plan.entry(),
        plan.output(),
        plan.timeoutSeconds(),
        plan.maxTokens(),
        plan.maxDelegationDepth(),
        plan.priorSteps());
  }

  private RunStatus run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents, Object memory) {
    return Plans.start(env, worker, plan, agents, memory).getResult(RunStatus.class);
  }

  private static List<String> activityTypes(TestWorkflowEnvironment env, RunPlan plan) {
    return env
        .getWorkflowClient()
        .fetchHistory(RunPlan.workflowId(plan.namespace(), plan.runName()))
        .getEvents()
        .stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .map(HistoryEvent::getActivityTaskScheduledEventAttributes)
        .map(a -> a.getActivityType().getName())
        .toList();
  }

  @Test
  void recalledMemoriesReachThePromptAndTheTaskIsStoredAfterIt(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    FakeMemory memory =
        new FakeMemory(
            r -> new MemoryActivities.Recalled(List.of("the launch code is OCELOT-42"), null));
    RunPlan plan = withMemory(Plans.builder().step(Plans.step("a")).build(), MEMORY);

    RunStatus status = run(env, worker, plan, agents, memory);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(memory.recalls)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.task()).isEqualTo("do a");
              assertThat(r.memory().scope()).isEqualTo("team-a");
              assertThat(r.topK()).isEqualTo(MemorySpec.TOP_K);
            });
    assertThat(agents.calls.get(0).lastMessage())
        .isEqualTo(AgentMemory.HEADING + ":\n- the launch code is OCELOT-42\n\nYour task:\ndo a");
    assertThat(memory.stores)
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.task()).isEqualTo("do a");
              assertThat(s.answer()).isEqualTo("a done");
            });
    assertThat(activityTypes(env, plan)).containsExactly("recallMemory", "chat", "storeMemory");
  }

  @Test
  void aMemoryThatIsDownLeavesTheTaskSucceededWithANote(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    FakeMemory memory =
        new FakeMemory(
            r -> new MemoryActivities.Recalled(List.of(), "ArkMemory test/notes (redis): down"));
    RunPlan plan = withMemory(Plans.builder().step(Plans.step("a")).build(), MEMORY);

    RunStatus status = run(env, worker, plan, agents, memory);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    StepStatus a = status.steps().get(0);
    assertThat(a.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(a.message())
        .isEqualTo("memory unavailable, running without it: ArkMemory test/notes (redis): down");
    assertThat(agents.calls.get(0).lastMessage()).isEqualTo("do a");
  }

  @Test
  void aMemoryWorkerThatFailsLeavesTheTaskSucceeded(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    FakeMemory memory =
        new FakeMemory(
            r -> {
              throw ApplicationFailure.newNonRetryableFailure("boom", "Crash");
            });
    RunPlan plan = withMemory(Plans.builder().step(Plans.step("a")).build(), MEMORY);

    RunStatus status = run(env, worker, plan, agents, memory);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(status.steps().get(0).message()).contains("memory unavailable").contains("boom");
  }

  @Test
  void anAgentWithoutMemoryCallsNoMemoryActivity(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    FakeMemory memory = new FakeMemory(r -> new MemoryActivities.Recalled(List.of("x"), null));
    RunPlan plan = Plans.builder().step(Plans.step("a")).build();

    RunStatus status = run(env, worker, plan, agents, memory);

    assertThat(status.phase()).isEqualTo(Phases.SUCCEEDED);
    assertThat(memory.recalls).isEmpty();
    assertThat(activityTypes(env, plan)).containsExactly("chat");
  }
}
