package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Plans the validator should have rejected, and answers a real model gives that the happy path does
 * not: the run ends with a clear message, never a stuck workflow.
 */
class PlanAndAnswerEdgesTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  /** Records every tool call; there should be none for refused calls. */
  static class RecordingTools implements ToolActivities {
    final List<String> called = new CopyOnWriteArrayList<>();

    @Override
    public ToolList listTools(AgentSpec agent) {
      return new ToolList(List.of(new ChatRequest.ToolSpec("search", "search", "{}")), List.of());
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      called.add(request.tool() + " " + request.arguments());
      return new ToolResult("found", false);
    }
  }

  private RunStatus run(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, Object... activities) {
    WorkflowStub stub = Plans.start(env, worker, plan, activities);
    try {
      // a workflow task failing (e.g. an NPE) retries forever: that must show as a failed test
      return stub.getResult(20, TimeUnit.SECONDS, RunStatus.class);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the run did not finish: the workflow is stuck", e);
    }
  }

  private static RunPlan plan(List<StepSpec> steps, String entry, Map<String, AgentSpec> agents) {
    return new RunPlan(
        Plans.NS,
        "run-e",
        "team",
        Map.of("topic", "x"),
        Map.of(),
        agents,
        steps,
        entry,
        null,
        0,
        0,
        3,
        Map.of());
  }

  @Test
  void emptyPipelineWithoutEntryFailsTheRunWithAClearMessage(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();

    RunStatus status =
        run(env, worker, plan(List.of(), null, Map.of("a", Plans.agent("a", 0))), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message()).contains("team team", "no pipeline steps", "spec.pipeline");
    assertThat(agents.calls).isEmpty();
  }

  @Test
  void stepWithARoleTheTeamLacksFailsTheRunNamingIt(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents = FakeAgents.echo();
    StepSpec ghost =
        new StepSpec("draft", "ghost", List.of(), Map.of(), null, null, null, null, 0, -1);

    RunStatus status =
        run(env, worker, plan(List.of(ghost), null, Map.of("a", Plans.agent("a", 0))), agents);

    assertThat(status.phase()).isEqualTo("Failed");
    assertThat(status.message()).contains("spec.pipeline[0]", "draft", "'ghost'");
    assertThat(agents.calls).isEmpty();
  }

  @Test
  void answerCutOffAtTheTokenLimitSaysSoOnTheStep(TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r ->
                new ChatResponse(
                    "The first half of",
                    List.of(),
                    new TokenUsage(10, 50),
                    null,
                    List.of(),
                    1,
                    true));
    RunPlan plan = Plans.builder().step(Plans.step("a")).maxTokens(0, 50).build();

    RunStatus status = run(env, worker, plan, agents);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(status.steps().get(0).output()).isEqualTo("The first half of");
    assertThat(status.steps().get(0).message())
        .contains("cut off at the token limit", "maxTokensPerCall 50");
  }

  @Test
  void toolCallWithInvalidArgumentsIsRefusedAndTheModelToldWhy(
      TestWorkflowEnvironment env, Worker worker) {
    List<ChatRequest> requests = new CopyOnWriteArrayList<>();
    FakeAgents agents =
        new FakeAgents(
            r -> {
              requests.add(r);
              if (r.messages().size() == 1) {
                return new ChatResponse(
                    "",
                    List.of(new ChatMessage.ToolCall("c1", "search", "{}", "{\"q\": \"ark")),
                    new TokenUsage(10, 5),
                    null,
                    List.of(),
                    1);
              }
              return FakeAgents.reply("done");
            });
    RecordingTools tools = new RecordingTools();
    AgentSpec base = Plans.agent("a", 0);
    AgentSpec agent =
        new AgentSpec(
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
            List.of(),
            List.of(),
            List.of(new HttpToolSpec("search", "search", "http://x", "POST", "{}", 0)));
    RunPlan plan = plan(List.of(Plans.step("a")), null, Map.of("a", agent));

    RunStatus status = run(env, worker, plan, agents, tools);

    assertThat(status.phase()).isEqualTo("Succeeded");
    assertThat(tools.called).as("the tool never runs with arguments it cannot parse").isEmpty();
    List<ChatMessage> second = requests.get(1).messages();
    ChatMessage call = second.get(1);
    assertThat(call.toolCalls())
        .singleElement()
        .extracting(ChatMessage.ToolCall::arguments)
        .isEqualTo("{}");
    ChatMessage refusal = second.get(2);
    assertThat(refusal.type()).isEqualTo("tool");
    assertThat(refusal.toolCallId()).isEqualTo("c1");
    assertThat(refusal.text()).contains("not valid JSON", "{\"q\": \"ark", "was not called");
    assertThat(status.steps().get(0).toolCalls())
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.name()).isEqualTo("search");
              assertThat(c.arguments()).isEqualTo("{\"q\": \"ark");
              assertThat(c.outcome()).isEqualTo("denied");
            });
  }

  @Test
  void theStepsToolCallsShowEachCallItsOutcomeAndResultInOrder(
      TestWorkflowEnvironment env, Worker worker) {
    FakeAgents agents =
        new FakeAgents(
            r ->
                r.messages().size() == 1
                    ? new ChatResponse(
                        "",
                        List.of(
                            new ChatMessage.ToolCall("c1", "search", "{\"q\":\"ark\"}"),
                            new ChatMessage.ToolCall("c2", "search", "{\"q\":\"fail\"}")),
                        new TokenUsage(10, 5),
                        null,
                        List.of(),
                        1)
                    : FakeAgents.reply("done"));
    ToolActivities tools =
        new RecordingTools() {
          @Override
          public ToolResult callTool(ToolCallRequest request) {
            return request.arguments().contains("fail")
                ? new ToolResult("HTTP 500 from search", true)
                : new ToolResult("x".repeat(StepToolCall.MAX_TEXT_CHARS + 10), false);
          }
        };
    AgentSpec base = Plans.agent("a", 0);
    AgentSpec agent =
        new AgentSpec(
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
            List.of(),
            List.of(),
            List.of(new HttpToolSpec("search", "search", "http://x", "POST", "{}", 0)));
    RunPlan plan = plan(List.of(Plans.step("a")), null, Map.of("a", agent));

    RunStatus status = run(env, worker, plan, agents, tools);

    assertThat(status.phase()).isEqualTo("Succeeded");
    List<StepToolCall> calls = status.steps().get(0).toolCalls();
    assertThat(calls).extracting(StepToolCall::name).containsExactly("search", "search");
    assertThat(calls).extracting(StepToolCall::outcome).containsExactly("ok", "error");
    assertThat(calls.get(0).arguments()).isEqualTo("{\"q\":\"ark\"}");
    assertThat(calls.get(0).result())
        .startsWith("x".repeat(100))
        .contains("(truncated; " + (StepToolCall.MAX_TEXT_CHARS + 10) + " characters in total)");
    assertThat(calls.get(1).result()).isEqualTo("error: HTTP 500 from search");
  }
}
