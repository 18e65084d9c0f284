package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage.ToolCall;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.model.chat.ChatModel;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A team run whose role has a tool server in upstream's simple HTTP convention (the Python server
 * of {@link UpstreamToolServer}, detected, not configured): the model's tool calls reach the server
 * through the run's activities, its 4xx error and its answer go back to the model.
 */
class UpstreamToolServerRunIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UpstreamToolServer server;
  private TestWorkflowEnvironment env;
  private ToolActivitiesImpl tools;

  @BeforeEach
  void start() throws Exception {
    server = UpstreamToolServer.start();
    env = TestWorkflowEnvironment.newInstance();
    tools = new ToolActivitiesImpl(Map.of("MCP_ORDERS_HEADER_X_API_KEY", "k-secret"));
  }

  @AfterEach
  void stop() throws Exception {
    env.close();
    tools.close();
    server.stop();
  }

  @Test
  void aRunsToolCallsReachTheServerAndItsAnswersReachTheModel() throws Exception {
    RunPlan plan = plan();
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    AgentActivitiesImpl model = new AgentActivitiesImpl(new ScriptedSupport());
    env.newWorker(plan.agents().get("support").taskQueue())
        .registerActivitiesImplementations(model, tools);
    env.start();
    String id = RunPlan.workflowId(plan.namespace(), plan.runName());

    RunStatus status =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(id)
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build())
            .run(plan);

    assertThat(status.phase()).as("run: %s", status.message()).isEqualTo("Succeeded");
    assertThat(status.output()).isEqualTo("Order A-100 has shipped.");
    List<JsonNode> results = toolResults(id);
    assertThat(results)
        .extracting(r -> r.path("text").asText() + " error=" + r.path("error").asBoolean())
        .containsExactly(
            "the tool refused the call (HTTP 400): order_id is required error=true",
            "A-100: shipped on 2026-11-30 error=false");
    assertThat(server.requests())
        .filteredOn(r -> r.startsWith("POST /tools/call"))
        .containsExactly(
            "POST /tools/call team=support key=k-secret",
            "POST /tools/call team=support key=k-secret");
  }

  /** The results of the run's {@code callTool} activities, from its history, in order. */
  private List<JsonNode> toolResults(String workflowId) throws Exception {
    List<HistoryEvent> events = env.getWorkflowClient().fetchHistory(workflowId).getEvents();
    List<Long> calls =
        events.stream()
            .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
            .filter(
                e ->
                    e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName()
                        .equals("callTool"))
            .map(HistoryEvent::getEventId)
            .toList();
    List<JsonNode> results = new java.util.ArrayList<>();
    for (HistoryEvent e : events) {
      if (e.hasActivityTaskCompletedEventAttributes()
          && calls.contains(e.getActivityTaskCompletedEventAttributes().getScheduledEventId())) {
        results.add(
            JSON.readTree(
                e.getActivityTaskCompletedEventAttributes()
                    .getResult()
                    .getPayloads(0)
                    .getData()
                    .toStringUtf8()));
      }
    }
    return results;
  }

  private RunPlan plan() throws Exception {
    String team =
        """
        roles:
          - name: support
            model: support-model
            systemPrompt: Answer questions about orders.
            mcpServers:
              - name: orders
                url: %s
                headers: {X-Team: support}
        pipeline:
          - role: support
            inputs: {prompt: "Where is order A-100?"}
        """
            .formatted(server.url());
    RunPlanner.References none =
        new RunPlanner.References() {
          @Override
          public Optional<JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<JsonNode> settings(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return Optional.empty();
          }
        };
    return new RunPlanner(none, notice -> {}, true)
        .plan(
            "shop",
            "support-team",
            new ObjectMapper(new YAMLFactory()).readTree(team),
            "support-1",
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            null);
  }

  /** The model: a call without arguments (refused), a good call, then the answer. */
  private static final class ScriptedSupport implements ChatModels {
    private final MockChatModel support =
        MockChatModel.scripted(
            List.of(
                new ScriptedReply(
                    null,
                    List.of(new ToolCall("call-1", "orders__lookup_order", "{}")),
                    null,
                    null,
                    null,
                    null),
                new ScriptedReply(
                    null,
                    List.of(
                        new ToolCall(
                            "call-2", "orders__lookup_order", "{\"order_id\": \"A-100\"}")),
                    null,
                    null,
                    null,
                    null),
                new ScriptedReply("Order A-100 has shipped.", List.of(), null, null, null, null)));

    @Override
    public String provider(AgentSpec agent) {
      return "mock";
    }

    @Override
    public ChatModel model(AgentSpec agent) {
      return support;
    }
  }
}
