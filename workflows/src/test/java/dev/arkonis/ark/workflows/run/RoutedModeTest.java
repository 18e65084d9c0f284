package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
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

/**
 * Routed mode: one router call (a chat activity on the router's queue, counted in tokens), a {@code
 * route} step with the decision, then the task on the chosen agent's own queue.
 */
class RoutedModeTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static AgentSpec agent(String name) {
    return new AgentSpec(
        name,
        name,
        RunPlan.taskQueue(Plans.NS, name),
        "mock-model",
        "mock",
        "You are " + name,
        0,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  private static RunPlan plan(String fallback, String... candidates) {
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    List<RoutingPlan.Candidate> list = new java.util.ArrayList<>();
    for (String c : candidates) {
      agents.put(c, agent(c));
      list.add(
          new RoutingPlan.Candidate(
              c, List.of(new RoutingPlan.Capability(c + ".work", "does " + c, List.of(c)))));
    }
    if (fallback != null) {
      agents.putIfAbsent(fallback, agent(fallback));
    }
    String queueOf = fallback != null ? fallback : candidates[0];
    AgentSpec base = agent(queueOf);
    AgentSpec router =
        new AgentSpec(
            "router",
            queueOf,
            base.taskQueue(),
            "router-model",
            "mock",
            RoutingPlan.ROUTER_PROMPT,
            0,
            30,
            null,
            false,
            List.of(),
            List.of(),
            List.of());
    return new RunPlan(
            Plans.NS,
            "run-r",
            "helpdesk",
            Map.of("task", "my invoice is wrong"),
            Map.of(),
            agents,
            List.of(),
            null,
            null,
            0,
            0,
            0,
            Map.of())
        .withRouting(new RoutingPlan(router, fallback, list, "registry"));
  }

  private static ChatResponse routeTo(String agent, String capability) {
    return new ChatResponse(
        "{}",
        List.of(),
        new TokenUsage(20, 7),
        Map.of("agent", agent, "capability", capability, "reason", "it fits"),
        List.of(),
        1);
  }

  private RunStatus run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, FakeAgents agents) {
    return Plans.start(env, worker, plan, agents).getResult(RunStatus.class);
  }

  private static Function<ChatRequest, ChatResponse> script(ChatResponse routerAnswer) {
    return r ->
        r.purpose().equals("route")
            ? routerAnswer
            : FakeAgents.reply(r.agent().agent() + " did: " + r.messages().get(0).text());
  }

  @Test
  void theRouterPicksAnAgentAndTheTaskRunsOnItsQueue(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = new FakeAgents(script(routeTo("billing", "billing.work")));
    RunPlan plan = plan("generalist", "billing", "tech");

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.output()).isEqualTo("billing did: my invoice is wrong");
    assertThat(status.steps()).extracting(StepStatus::name).containsExactly("route", "task");
    StepStatus route = status.steps().get(0);
    assertThat(route.phase()).isEqualTo("Succeeded");
    assertThat(route.route()).isEqualTo(new StepStatus.Route("billing", "billing.work", "it fits"));
    assertThat(route.tokenUsage().totalTokens()).isEqualTo(27);
    assertThat(status.steps().get(1).role()).isEqualTo("billing");
    assertThat(status.totalTokenUsage().totalTokens()).isEqualTo(27 + 15);
    assertThat(agents.calls)
        .extracting(FakeAgents.Call::purpose, FakeAgents.Call::taskQueue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("route", "ark/test/generalist"),
            org.assertj.core.groups.Tuple.tuple("task", "ark/test/billing"));
    // the router saw the task, the capabilities and the schema with the candidates as an enum
    String asked = agents.calls.get(0).lastMessage();
    assertThat(asked)
        .contains("my invoice is wrong", RoutingPlan.CAPABILITIES_MARKER, "\"tech.work\"")
        .contains("\"enum\":[\"billing\",\"tech\",\"none\"]");
    var history =
        env.getWorkflowClient().fetchHistory(RunPlan.workflowId(Plans.NS, "run-r")).getEvents();
    assertThat(history)
        .filteredOn(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
        .extracting(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
        .containsExactly("chat", "chat");
  }

  @Test
  void noMatchOrAnUnknownAgentGoesToTheFallback(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = new FakeAgents(script(routeTo("sales", "sales.deal")));
    RunStatus status = run(env, worker, plan("generalist", "billing", "tech"), agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    StepStatus.Route route = status.steps().get(0).route();
    assertThat(route.resolvedAgent()).isEqualTo("generalist");
    assertThat(route.selectedCapability()).isNull();
    assertThat(route.routingReason())
        .isEqualTo(
            "the router named \"sales\", which is not an indexed agent; fallback generalist");
    assertThat(status.output()).startsWith("generalist did:");
  }

  @Test
  void withoutAFallbackAnUnmatchedTaskFailsTheRunClearly(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = new FakeAgents(script(routeTo("none", "")));
    RunStatus status = run(env, worker, plan(null, "billing", "tech"), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.failedStep()).isEqualTo("route");
    assertThat(status.message())
        .isEqualTo(
            "step route: the router found no matching capability: it fits, and"
                + " spec.routing.fallback is not set; set it to the ArkAgent for such tasks");
    assertThat(agents.calls)
        .singleElement()
        .extracting(FakeAgents.Call::purpose)
        .isEqualTo("route");
  }
}
