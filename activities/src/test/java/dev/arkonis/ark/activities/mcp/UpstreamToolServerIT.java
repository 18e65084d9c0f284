package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import io.temporal.api.enums.v1.EventType;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tool activities against a tool server in upstream ark's simple HTTP convention ({@code POST
 * /tools/list}, {@code POST /tools/call}, {@code GET /health}), written in Python and run as its
 * own process ({@link UpstreamToolServer}).
 */
class UpstreamToolServerIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UpstreamToolServer server;
  private McpClientPool pool;
  private ToolActivitiesImpl activities;

  @BeforeEach
  void start() throws Exception {
    server = UpstreamToolServer.start();
    pool =
        new McpClientPool(
            Map.of("MCP_ORDERS_HEADER_X_API_KEY", "k-secret"),
            new McpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)));
    activities = new ToolActivitiesImpl(pool);
  }

  @AfterEach
  void stop() throws Exception {
    activities.close();
    server.stop();
  }

  private McpServerSpec orders(String transport, Map<String, String> headers) {
    return new McpServerSpec("orders", server.url(), transport, null, "orders-headers", headers);
  }

  private static AgentSpec agent(McpServerSpec server) {
    return new AgentSpec(
        "support",
        "support-agent",
        "ark/default/support-agent",
        "gpt-4o",
        "mock",
        "",
        0,
        60,
        null,
        false,
        List.of(),
        List.of(server),
        List.of());
  }

  private ToolResult call(McpServerSpec server, String tool, String arguments) {
    return activities.callTool(new ToolCallRequest(agent(server), tool, arguments));
  }

  @Test
  void detectedWhenTheMcpHandshakeFailsAndListedLikeMcpTools() throws Exception {
    McpServerSpec orders = orders("", Map.of());

    ToolList list = activities.listTools(agent(orders));

    assertThat(list.problems()).isEmpty();
    assertThat(list.tools())
        .extracting(ToolSpec::name)
        .containsExactly(
            "orders__lookup_order", "orders__whoami", "orders__flaky", "orders__broken");
    ToolSpec lookup = list.tools().get(0);
    assertThat(lookup.description()).isEqualTo("The status of an order.");
    JsonNode schema = JSON.readTree(lookup.parametersSchema());
    assertThat(schema.path("properties").path("order_id").path("type").asText())
        .isEqualTo("string");
    assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("order_id");
    assertThat(JSON.readTree(list.tools().get(2).parametersSchema()).path("type").asText())
        .isEqualTo("object"); // no inputSchema: an empty object schema
    assertThat(pool.transport(orders)).isEqualTo("http");
    assertThat(server.requests())
        .extracting(r -> r.substring(0, r.indexOf(" team=")))
        .containsSubsequence("POST /", "GET /", "GET /health", "POST /tools/list");
  }

  @Test
  void transportHttpSkipsTheMcpHandshake() throws Exception {
    ToolResult answer =
        call(orders("http", Map.of()), "orders__lookup_order", "{\"order_id\":\"A-100\"}");

    assertThat(answer.error()).isFalse();
    assertThat(answer.text()).isEqualTo("A-100: shipped on 2026-11-30");
    assertThat(server.requests())
        .extracting(r -> r.substring(0, r.indexOf(" team=")))
        .containsExactly("GET /health", "POST /tools/list", "POST /tools/call");
  }

  @Test
  void fourHundredsAreToolErrorsTheModelReads() {
    McpServerSpec orders = orders("http", Map.of());

    ToolResult missing = call(orders, "orders__lookup_order", "{}");
    ToolResult unknownOrder = call(orders, "orders__lookup_order", "{\"order_id\":\"Z-9\"}");
    ToolResult unknownTool = call(orders, "orders__refund", "{}");

    assertThat(missing.error()).isTrue();
    assertThat(missing.text())
        .isEqualTo("the tool refused the call (HTTP 400): order_id is required");
    assertThat(unknownOrder.error()).isTrue();
    assertThat(unknownOrder.text()).isEqualTo("the tool refused the call (HTTP 404): no order Z-9");
    assertThat(unknownTool.error()).isTrue();
    assertThat(unknownTool.text())
        .startsWith("unknown tool \"orders__refund\"; available: ")
        .contains("orders__lookup_order");
  }

  @Test
  void fiveHundredsAndADeadServerAreRetryableUnavailability() throws Exception {
    McpServerSpec orders = orders("http", Map.of());
    assertThat(call(orders, "orders__whoami", "{}").error()).isFalse();

    ApplicationFailure broken =
        catchThrowableOfType(ApplicationFailure.class, () -> call(orders, "orders__broken", "{}"));
    server.stop();
    ApplicationFailure down =
        catchThrowableOfType(ApplicationFailure.class, () -> call(orders, "orders__whoami", "{}"));

    assertThat(broken.getType()).isEqualTo(ToolFailures.TOOL_UNAVAILABLE);
    assertThat(broken.isNonRetryable()).isFalse();
    assertThat(broken.getOriginalMessage())
        .contains("MCP server orders (" + server.url() + ")", "HTTP 500", "internal error");
    assertThat(down.getType()).isEqualTo(ToolFailures.TOOL_UNAVAILABLE);
    assertThat(down.isNonRetryable()).isFalse();
  }

  @Test
  void plainAndSecretHeadersReachTheServerAndTheSecretWins() throws Exception {
    McpServerSpec orders = orders("", Map.of("X-Team", "support", "X-Api-Key", "plain"));

    ToolResult whoami = call(orders, "orders__whoami", "{}");

    assertThat(whoami.text()).isEqualTo("team=support key=k-secret");
    assertThat(server.requests()).allMatch(r -> r.endsWith(" team=support key=k-secret"));
  }

  @Test
  void anUnhealthyServerIsAProblemUntilItsHealthRecovers() throws Exception {
    McpServerSpec orders = orders("http", Map.of());
    Files.createFile(server.healthFile());

    ToolList sick = activities.listTools(agent(orders));
    Files.delete(server.healthFile());
    ToolList well = activities.listTools(agent(orders));

    assertThat(sick.tools()).isEmpty();
    assertThat(sick.problems())
        .singleElement()
        .asString()
        .startsWith("MCP server orders (" + server.url() + ") unreachable: ")
        .contains("GET " + server.url() + "/health answered HTTP 503")
        .endsWith("; its tools are unavailable");
    assertThat(well.problems()).isEmpty();
    assertThat(well.tools()).hasSize(4);
  }

  @Test
  void aToolCallFromAWorkflowIsRetriedThroughA503() throws Exception {
    AgentSpec agent = agent(orders("", Map.of()));
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
                      .setWorkflowId("upstream-tool-call")
                      .setTaskQueue(agent.taskQueue())
                      .build());

      String text = workflow.run(agent, "orders__flaky", "{}");

      assertThat(text).isEqualTo("ok after 2 calls");
      assertThat(
              env.getWorkflowClient().fetchHistory("upstream-tool-call").getEvents().stream()
                  .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
                  .map(
                      e -> e.getActivityTaskScheduledEventAttributes().getActivityType().getName()))
          .containsExactly("listTools", "callTool");
      assertThat(server.requests()).filteredOn(r -> r.startsWith("POST /tools/call")).hasSize(2);
    } finally {
      env.close();
    }
  }
}
