package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A long agent loop continues as new and carries its conversation and tokens over. */
class AgentTaskContinueAsNewTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  /** A tool that echoes its arguments. */
  static final class EchoTools implements ToolActivities {
    @Override
    public ToolList listTools(AgentSpec agent) {
      return new ToolList(
          List.of(new dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec("echo", "echo", "{}")),
          List.of());
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      return new ToolResult("echo " + request.arguments(), false);
    }
  }

  @Test
  void longLoopContinuesAsNewAndFinishes(TestWorkflowEnvironment env, Worker worker) {
    // five tool turns, then the final answer counts the tool results it has seen
    FakeAgents agents =
        new FakeAgents(
            r -> {
              long toolResults = r.messages().stream().filter(m -> m.type().equals("tool")).count();
              if (toolResults < 5) {
                return new ChatResponse(
                    "",
                    List.of(
                        new ChatMessage.ToolCall(
                            "c" + toolResults, "echo", "{\"n\":" + toolResults + "}")),
                    new TokenUsage(10, 5),
                    null,
                    List.of(),
                    1);
              }
              return FakeAgents.reply("saw " + toolResults + " results");
            });
    AgentSpec base = Plans.agent("worker", 0);
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
            List.of(
                new dev.arkonis.ark.workflows.api.HttpToolSpec(
                    "echo", "echo", "http://x", "POST", "{}", 0)));
    env.newWorker(agent.taskQueue()).registerActivitiesImplementations(agents, new EchoTools());
    env.start();
    AgentTaskWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                AgentTaskWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("task-can")
                    .setTaskQueue(worker.getTaskQueue())
                    .build());

    AgentTaskWorkflow.AgentTaskResult result =
        workflow.run(
            new AgentTaskWorkflow.AgentTaskInput(
                "test",
                "run",
                Map.of("worker", agent),
                "worker",
                "worker",
                "do it",
                1,
                3,
                0,
                20,
                null,
                "team"));

    assertThat(result.phase()).isEqualTo("Succeeded");
    assertThat(result.output()).isEqualTo("saw 5 results");
    assertThat(result.steps().get(0).tokenUsage()).isEqualTo(new TokenUsage(60, 30));
    assertThat(agents.calls).hasSize(6);
    assertThat(countContinueAsNew(env)).isGreaterThanOrEqualTo(1);
  }

  private static long countContinueAsNew(TestWorkflowEnvironment env) {
    // walk the chain back from the last run: each earlier run ends with ContinuedAsNew
    var history = env.getWorkflowClient().fetchHistory("task-can").getEvents();
    String previous =
        history.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
    long count = 0;
    while (!previous.isEmpty()) {
      var events = env.getWorkflowClient().fetchHistory("task-can", previous).getEvents();
      assertThat(events.get(events.size() - 1).getEventType())
          .isEqualTo(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
      count++;
      previous =
          events.get(0).getWorkflowExecutionStartedEventAttributes().getContinuedExecutionRunId();
    }
    return count;
  }
}
