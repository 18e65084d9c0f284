package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.api.enums.v1.EventType;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DelegationWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static AgentSpec agent(String role, List<String> canDelegate) {
    AgentSpec base = Plans.agent(role, 0);
    return new AgentSpec(
        base.role(),
        base.agent(),
        base.taskQueue(),
        base.model(),
        base.provider(),
        base.systemPrompt(),
        0,
        30,
        null,
        false,
        canDelegate,
        List.of(),
        List.of());
  }

  private static RunPlan dynamic(int maxDepth, AgentSpec... agents) {
    Map<String, AgentSpec> byRole = new LinkedHashMap<>();
    for (AgentSpec a : agents) {
      byRole.put(a.role(), a);
    }
    return new RunPlan(
        Plans.NS,
        "run-d",
        "team",
        Map.of("task", "handle the ticket"),
        Map.of(),
        byRole,
        List.of(),
        agents[0].role(),
        null,
        0,
        0,
        maxDepth,
        Map.of());
  }

  private static ChatResponse delegate(String role, String task) {
    return new ChatResponse(
        "",
        List.of(
            new ChatMessage.ToolCall(
                "call-" + role,
                "delegate",
                "{\"role\":\"" + role + "\",\"task\":\"" + task + "\"}")),
        new TokenUsage(10, 5),
        null,
        List.of(),
        1);
  }

  private static boolean hasToolResult(ChatRequest r) {
    return r.messages().get(r.messages().size() - 1).type().equals("tool");
  }

  private RunStatus run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents) {
    return Plans.start(env, worker, plan, agents).getResult(RunStatus.class);
  }

  private static StepStatus step(RunStatus status, String name) {
    return Plans.step(status, name);
  }

  @Test
  void allowedDelegationRunsAsChildWorkflowOnTheTargetsQueue(
      TestWorkflowEnvironment env, Worker worker) {
    Function<ChatRequest, ChatResponse> script =
        r -> {
          if (r.agent().role().equals("coordinator")) {
            return hasToolResult(r)
                ? FakeAgents.reply("summary: " + r.messages().get(r.messages().size() - 1).text())
                : delegate("researcher", "find facts");
          }
          return FakeAgents.reply("facts found for: " + r.messages().get(0).text());
        };
    FakeAgents agents = new FakeAgents(script);
    RunPlan plan =
        dynamic(3, agent("coordinator", List.of("researcher")), agent("researcher", List.of()));

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.output()).isEqualTo("summary: facts found for: find facts");
    StepStatus delegated = step(status, "researcher");
    assertThat(delegated.delegatedFrom()).isEqualTo("coordinator");
    assertThat(delegated.phase()).isEqualTo("Succeeded");
    assertThat(delegated.tokenUsage().totalTokens()).isEqualTo(15);
    assertThat(step(status, "coordinator").toolCalls())
        .singleElement()
        .isEqualTo(
            new StepToolCall(
                "delegate",
                "{\"role\":\"researcher\",\"task\":\"find facts\"}",
                "ok",
                "facts found for: find facts"));
    assertThat(status.totalTokenUsage().totalTokens()).isEqualTo(45);
    assertThat(agents.calls)
        .filteredOn(c -> c.step().equals("researcher"))
        .singleElement()
        .satisfies(c -> assertThat(c.taskQueue()).isEqualTo("ark/test/team-researcher"));
    assertThat(agents.teamByStep) // the delegated task's calls too, for the tokens metric
        .containsEntry("coordinator", "team")
        .containsEntry("researcher", "team");
    var history =
        env.getWorkflowClient().fetchHistory(RunPlan.workflowId(Plans.NS, "run-d")).getEvents();
    assertThat(history)
        .anySatisfy(
            e -> {
              assertThat(e.getEventType())
                  .isEqualTo(EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED);
              assertThat(e.getStartChildWorkflowExecutionInitiatedEventAttributes().getWorkflowId())
                  .isEqualTo("arkrun/test/run-d/researcher");
            });
  }

  @Test
  void delegationOutsideCanDelegateIsRefusedAndNothingRuns(
      TestWorkflowEnvironment env, Worker worker) {
    Function<ChatRequest, ChatResponse> script =
        r ->
            hasToolResult(r)
                ? FakeAgents.reply("gave up: " + r.messages().get(r.messages().size() - 1).text())
                : delegate("escalation", "sue them");
    FakeAgents agents = new FakeAgents(script);
    RunPlan plan =
        dynamic(
            3,
            agent("coordinator", List.of("billing")),
            agent("billing", List.of()),
            agent("escalation", List.of()));

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.output())
        .contains(
            "refused: role \"escalation\" is not one you may delegate to (canDelegate: billing)");
    assertThat(agents.calls)
        .allSatisfy(c -> assertThat(c.taskQueue()).endsWith("team-coordinator"));
    assertThat(status.steps()).extracting(StepStatus::name).containsExactly("coordinator");
    assertThat(status.steps().get(0).toolCalls())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.name()).isEqualTo("delegate");
              assertThat(call.outcome()).isEqualTo("denied");
              assertThat(call.result()).contains("is not one you may delegate to");
            });
  }

  @Test
  void delegateToolIsOfferedOnlyWithinTheDepthLimit(TestWorkflowEnvironment env, Worker worker) {
    Function<ChatRequest, ChatResponse> script =
        r -> {
          boolean offered = r.tools().stream().anyMatch(t -> t.name().equals("delegate"));
          if (r.agent().role().equals("coordinator")) {
            return hasToolResult(r)
                ? FakeAgents.reply(r.messages().get(r.messages().size() - 1).text())
                : delegate("researcher", "dig");
          }
          // the researcher may not delegate at depth 1 of 1, and a forced call is refused
          return hasToolResult(r)
              ? FakeAgents.reply(
                  "offered=" + offered + "; " + r.messages().get(r.messages().size() - 1).text())
              : delegate("writer", "write");
        };
    FakeAgents agents = new FakeAgents(script);
    RunPlan plan =
        dynamic(
            1,
            agent("coordinator", List.of("researcher")),
            agent("researcher", List.of("writer")),
            agent("writer", List.of()));

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.output())
        .isEqualTo("offered=false; refused: delegation depth limit reached (maxDelegationDepth 1)");
    assertThat(agents.calls).noneSatisfy(c -> assertThat(c.taskQueue()).endsWith("team-writer"));
  }

  @Test
  void nestedDelegationsAreRecordedWithTheirDelegator(TestWorkflowEnvironment env, Worker worker) {
    Function<ChatRequest, ChatResponse> script =
        r -> {
          String role = r.agent().role();
          if (role.equals("writer")) {
            return FakeAgents.reply("text");
          }
          return hasToolResult(r)
              ? FakeAgents.reply(role + " got " + r.messages().get(r.messages().size() - 1).text())
              : delegate(role.equals("coordinator") ? "researcher" : "writer", "go");
        };
    RunPlan plan =
        dynamic(
            3,
            agent("coordinator", List.of("researcher")),
            agent("researcher", List.of("writer")),
            agent("writer", List.of()));

    RunStatus status = run(env, worker, plan, new FakeAgents(script));

    assertThat(status.output()).isEqualTo("coordinator got researcher got text");
    assertThat(status.steps())
        .extracting(StepStatus::name, StepStatus::delegatedFrom)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("coordinator", null),
            org.assertj.core.groups.Tuple.tuple("researcher", "coordinator"),
            org.assertj.core.groups.Tuple.tuple("researcher/writer", "researcher"));
  }

  @Test
  void maxTurnsEndsALoopingAgent(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = new FakeAgents(r -> delegate("nobody", "loop"));
    RunPlan plan =
        dynamic(3, agent("coordinator", List.of("billing")), agent("billing", List.of()));

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message()).contains("no final answer after 10 turns (maxTurns)");
    assertThat(agents.calls).hasSize(AgentLoop.MAX_TURNS);
  }
}
