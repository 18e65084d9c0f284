package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.activities.tools.ToolFailures;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec;
import dev.arkonis.ark.workflows.api.McpServerSpec;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolCallRequest;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolList;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tool activities against the real {@code @modelcontextprotocol/server-everything} over
 * streamable HTTP and SSE. {@code scripts/test} installs the server and sets {@code
 * ARK_TEST_MCP_EVERYTHING} to its {@code dist/index.js}; each server runs on a random port for the
 * duration of this class.
 */
class McpServerEverythingIT {
  private static final String VARIABLE = "ARK_TEST_MCP_EVERYTHING";
  private static final ObjectMapper JSON = new ObjectMapper();

  private static EverythingServer streamable;
  private static EverythingServer sse;

  private ToolActivitiesImpl activities;

  @BeforeAll
  static void startServers() throws Exception {
    String script = System.getenv(VARIABLE);
    if (script == null || script.isBlank() || !new File(script).isFile()) {
      fail(
          VARIABLE
              + " must point at server-everything's dist/index.js (is: "
              + script
              + "); run the tests with scripts/test, which installs it");
    }
    streamable = EverythingServer.start(script, "streamableHttp", freePort());
    sse = EverythingServer.start(script, "sse", freePort());
  }

  @AfterAll
  static void stopServers() {
    if (streamable != null) {
      streamable.stop();
    }
    if (sse != null) {
      sse.stop();
    }
  }

  @BeforeEach
  void createActivities() {
    activities = new ToolActivitiesImpl(Map.of());
  }

  @AfterEach
  void closeActivities() {
    activities.close();
  }

  private static String url(String transport) {
    return transport.equals("sse") ? sse.url("/sse") : streamable.url("/mcp");
  }

  private static AgentSpec agent(McpServerSpec... servers) {
    return new AgentSpec(
        "researcher",
        "research-agent",
        "ark/default/research-agent",
        "gpt-4o",
        "mock",
        "",
        0,
        60,
        null,
        false,
        List.of(),
        List.of(servers),
        List.of());
  }

  private static McpServerSpec everything(String url, String transport) {
    return new McpServerSpec("everything", url, transport, null, null);
  }

  private ToolResult call(AgentSpec agent, String tool, String arguments) {
    return activities.callTool(new ToolCallRequest(agent, tool, arguments));
  }

  @ParameterizedTest
  @ValueSource(strings = {"streamable-http", "sse"})
  void listsTheServersToolsWithTheirSchemas(String transport) throws IOException {
    ToolList list = activities.listTools(agent(everything(url(transport), transport)));

    assertThat(list.problems()).isEmpty();
    assertThat(list.tools())
        .extracting(ToolSpec::name)
        .contains("everything__echo", "everything__get-sum")
        .allMatch(name -> name.startsWith("everything__"));
    ToolSpec echo =
        list.tools().stream().filter(t -> t.name().equals("everything__echo")).findFirst().get();
    assertThat(echo.description()).isNotBlank();
    JsonNode schema = JSON.readTree(echo.parametersSchema());
    assertThat(schema.path("type").asText()).isEqualTo("object");
    assertThat(schema.path("properties").path("message").path("type").asText()).isEqualTo("string");
    assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("message");
  }

  @ParameterizedTest
  @ValueSource(strings = {"streamable-http", "sse"})
  void callsTools(String transport) {
    AgentSpec agent = agent(everything(url(transport), transport));

    ToolResult echo = call(agent, "everything__echo", "{\"message\": \"hi\"}");
    ToolResult sum = call(agent, "everything__get-sum", "{\"a\": 2, \"b\": 40}");

    assertThat(echo.error()).isFalse();
    assertThat(echo.text()).contains("hi");
    assertThat(sum.error()).isFalse();
    assertThat(sum.text()).contains("42");
  }

  @ParameterizedTest
  @ValueSource(strings = {"streamable-http", "sse"})
  void toolErrorsAndUnknownToolsAreResultsTheModelCanReadNotFailures(String transport) {
    AgentSpec agent = agent(everything(url(transport), transport));

    ToolResult badArguments = call(agent, "everything__get-sum", "{\"a\": \"two\"}");
    ToolResult unknown = call(agent, "everything__add", "{\"a\": 1, \"b\": 2}");

    assertThat(badArguments.error()).isTrue();
    assertThat(badArguments.text()).isNotBlank();
    assertThat(unknown.error()).isTrue();
    assertThat(unknown.text())
        .startsWith("unknown tool \"everything__add\"; available: ")
        .contains("everything__echo", "everything__get-sum");
  }

  @Test
  void detectsTheTransportFromTheServer() {
    McpClientPool pool = new McpClientPool(Map.of());
    try (ToolActivitiesImpl tools = new ToolActivitiesImpl(pool)) {
      McpServerSpec http = everything(streamable.url("/mcp"), null);
      McpServerSpec events = everything(sse.url("/sse"), "");
      McpServerSpec eventsElsewhere = everything(sse.url("/sse/"), ""); // not */sse: fallback

      for (McpServerSpec server : List.of(http, events, eventsElsewhere)) {
        ToolResult echo =
            tools.callTool(
                new ToolCallRequest(agent(server), "everything__echo", "{\"message\":\"hi\"}"));
        assertThat(echo.text()).as(server.url()).contains("hi");
      }

      assertThat(pool.transport(http)).isEqualTo("streamable-http");
      assertThat(pool.transport(events)).isEqualTo("sse");
      assertThat(pool.transport(eventsElsewhere)).isEqualTo("sse");
    }
  }

  @Test
  void reconnectsWhenTheServerRestarted() throws Exception {
    int port = freePort();
    EverythingServer server =
        EverythingServer.start(System.getenv(VARIABLE), "streamableHttp", port);
    AgentSpec agent = agent(everything(server.url("/mcp"), ""));
    try {
      assertThat(call(agent, "everything__echo", "{\"message\": \"before\"}").text())
          .contains("before");
      server.stop();
      server = EverythingServer.start(System.getenv(VARIABLE), "streamableHttp", port);

      assertThat(call(agent, "everything__echo", "{\"message\": \"after\"}").text())
          .contains("after"); // the old session is gone: a new client, transparently
    } finally {
      server.stop();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"/mcp", "/sse"})
  void aServerThatIsDownIsAProblemForListingAndRetryableForCalls(String path) throws Exception {
    String url = "http://127.0.0.1:" + freePort() + path;
    AgentSpec agent = agent(everything(url, ""));

    long started = System.nanoTime();
    ToolList list = activities.listTools(agent);
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertThat(took).isLessThan(Duration.ofSeconds(15));
    assertThat(list.tools()).isEmpty();
    assertThat(list.problems()).hasSize(1);
    assertThat(list.problems().get(0))
        .startsWith("MCP server everything (" + url + ") unreachable: ")
        .endsWith("; its tools are unavailable");

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> call(agent, "everything__echo", "{\"message\": \"hi\"}"));
    assertThat(failure.getType()).isEqualTo(ToolFailures.TOOL_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).contains("everything", url);
  }

  @Test
  void aToolCallIsAnActivityInTheRunsHistory() {
    AgentSpec agent = agent(everything(streamable.url("/mcp"), "streamable-http"));
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    try {
      Worker worker = env.newWorker(agent.taskQueue());
      worker.registerWorkflowImplementationTypes(ToolCallingWorkflow.Impl.class);
      worker.registerActivitiesImplementations(activities);
      env.start();
      ToolCallingWorkflow workflow =
          env.getWorkflowClient()
              .newWorkflowStub(
                  ToolCallingWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("tool-call-it")
                      .setTaskQueue(agent.taskQueue())
                      .build());

      String text = workflow.run(agent, "everything__echo", "{\"message\": \"via temporal\"}");

      assertThat(text).contains("via temporal");
      WorkflowExecutionHistory history = env.getWorkflowClient().fetchHistory("tool-call-it");
      List<String> scheduled =
          history.getEvents().stream()
              .filter(HistoryEvent::hasActivityTaskScheduledEventAttributes)
              .map(e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName())
              .toList();
      assertThat(scheduled).containsExactly("listTools", "callTool");
    } finally {
      env.close();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
