package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.ToolActivities;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.File;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fault "MCP server down mid-run" of the reliability suite, on the real
 * {@code @modelcontextprotocol/server-everything}: a run's step lists the server's tools (up), the
 * model asks for {@code everything__echo}, and the server is stopped just before that call. Counted
 * at the activities: model calls, tool call attempts and what the model was given back.
 *
 * <ul>
 *   <li>the server comes back while the call is retried: the tool answers, the run succeeds, the
 *       model was called twice (its tool-call turn is not repeated);
 *   <li>the server stays down: the call's attempts run out, the model reads the failure as the tool
 *       result and the run still finishes {@code Succeeded}, again with two model calls.
 * </ul>
 */
class McpServerDownMidRunIT {
  private static final String VARIABLE = "ARK_TEST_MCP_EVERYTHING";
  private static final String FINAL = "Done: the echo came back.";

  private String script;
  private EverythingServer server;
  private TestWorkflowEnvironment env;
  private ToolActivitiesImpl tools;

  @BeforeEach
  void startServer() throws Exception {
    script = System.getenv(VARIABLE);
    if (script == null || script.isBlank() || !new File(script).isFile()) {
      fail(
          VARIABLE
              + " must point at server-everything's dist/index.js (is: "
              + script
              + "); run the tests with scripts/test, which installs it");
    }
    server = EverythingServer.start(script, "streamableHttp", EverythingServer.freePort());
    tools = new ToolActivitiesImpl(Map.of());
  }

  @AfterEach
  void stop() {
    if (env != null) {
      env.close();
    }
    tools.close();
    server.stop();
  }

  @Test
  void aServerBackWhileTheCallIsRetriedAnswersAndNoModelTurnIsRepeated() throws Exception {
    Faulty faulty = new Faulty(true);

    RunStatus status = run(faulty);

    assertThat(status.phase()).as("run: %s", status.message()).isEqualTo("Succeeded");
    assertThat(status.output()).isEqualTo(FINAL);
    assertThat(faulty.attempts).hasValue(2);
    assertThat(faulty.results).hasSize(1);
    assertThat(faulty.results.get(0).error()).isFalse();
    assertThat(faulty.results.get(0).text()).contains("hello from the run");
    assertThat(faulty.chats).hasSize(2);
    assertThat(toolAnswer(faulty.chats.get(1))).contains("hello from the run");
  }

  @Test
  void aServerThatStaysDownIsAToolErrorTheModelReadsAndTheRunEnds() throws Exception {
    Faulty faulty = new Faulty(false);

    RunStatus status = run(faulty);

    assertThat(status.phase()).as("run: %s", status.message()).isEqualTo("Succeeded");
    assertThat(faulty.attempts).hasValue(3); // the call's attempts, then an error result
    assertThat(faulty.results).isEmpty();
    assertThat(faulty.chats).hasSize(2);
    assertThat(toolAnswer(faulty.chats.get(1)))
        .startsWith("error: tool everything__echo failed: ")
        .contains("MCP server everything", server.url("/mcp"));
  }

  private static String toolAnswer(ChatRequest request) {
    return request.messages().stream()
        .filter(m -> "tool".equals(m.type()))
        .map(ChatMessage::text)
        .reduce((a, b) -> b)
        .orElse("(no tool message)");
  }

  private RunStatus run(Faulty faulty) throws Exception {
    env = TestWorkflowEnvironment.newInstance();
    RunPlan plan = plan();
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    AgentSpec agent = plan.agents().values().iterator().next();
    env.newWorker(agent.taskQueue()).registerActivitiesImplementations(faulty, faulty.chat);
    env.start();
    TeamRunWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RunPlan.workflowId(plan.namespace(), plan.runName()))
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build());
    return workflow.run(plan);
  }

  private RunPlan plan() throws Exception {
    String team =
        """
        roles:
          - name: scribe
            model: scribe-model
            systemPrompt: "Role: scribe"
            mcpServers:
              - {name: everything, url: "%s", transport: streamable-http}
        pipeline:
          - role: scribe
            inputs: {prompt: "Echo a greeting with the echo tool."}
        """
            .formatted(server.url("/mcp"));
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
            "ns",
            "scribe-team",
            new ObjectMapper(new YAMLFactory()).readTree(team),
            "scribe-1",
            Map.of(),
            Map.of(),
            Map.of(),
            null,
            null);
  }

  /**
   * The agent's activities with the fault: the MCP server is stopped just before the first tool
   * call (its tools were listed while it was up) and, when {@code comesBack}, started again on the
   * same port once that attempt has failed, so the retry finds it.
   */
  private final class Faulty implements ToolActivities {
    final boolean comesBack;
    final AtomicInteger attempts = new AtomicInteger();
    final List<ToolResult> results = new CopyOnWriteArrayList<>();
    final List<ChatRequest> chats = new CopyOnWriteArrayList<>();
    final AgentActivities chat;

    Faulty(boolean comesBack) {
      this.comesBack = comesBack;
      AgentActivitiesImpl model =
          new AgentActivitiesImpl(
              ChatModels.of(
                  "mock",
                  MockChatModel.scripted(
                      List.of(
                          new ScriptedReply(
                              null,
                              List.of(
                                  new ChatMessage.ToolCall(
                                      "call-1",
                                      "everything__echo",
                                      "{\"message\": \"hello from the run\"}")),
                              null,
                              null,
                              null,
                              null),
                          new ScriptedReply(FINAL, List.of(), null, null, null, null)))));
      this.chat = new Recording(model);
    }

    /** The model's activity, remembering each request. */
    private final class Recording implements AgentActivities {
      private final AgentActivities model;

      Recording(AgentActivities model) {
        this.model = model;
      }

      @Override
      public ChatResponse chat(ChatRequest request) {
        chats.add(request);
        return model.chat(request);
      }
    }

    @Override
    public ToolList listTools(AgentSpec agent) {
      return tools.listTools(agent);
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      if (attempts.incrementAndGet() == 1) {
        server.stop();
      }
      try {
        ToolResult result = tools.callTool(request);
        results.add(result);
        return result;
      } catch (ApplicationFailure failure) {
        if (comesBack && attempts.get() == 1) {
          try {
            server = EverythingServer.start(script, "streamableHttp", server.port());
          } catch (Exception e) {
            throw new IllegalStateException("could not start server-everything again", e);
          }
        }
        throw failure;
      }
    }
  }
}
