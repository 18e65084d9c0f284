package dev.arkonis.ark.activities.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolCallRequest;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolList;
import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Inline HTTP tools ({@code tools[]}) against a local JDK HTTP server. */
class HttpToolsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SEARCH_SCHEMA =
      """
      {"type": "object",
       "properties": {"q": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                      "limit": {"type": "integer"}},
       "required": ["q"]}
      """;

  private record Seen(String method, String query, String contentType, String body) {}

  private HttpServer server;
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = "ok";
  private volatile long delayMillis;
  private ToolActivitiesImpl activities;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.start();
    activities = new ToolActivitiesImpl(Map.of());
  }

  @AfterEach
  void stop() {
    activities.close();
    if (server != null) {
      server.stop(0);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      seen.add(
          new Seen(
              exchange.getRequestMethod(),
              exchange.getRequestURI().getRawQuery(),
              exchange.getRequestHeaders().getFirst("Content-Type"),
              body));
      if (delayMillis > 0) {
        try {
          Thread.sleep(delayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  private static AgentSpec agent(HttpToolSpec... tools) {
    return new AgentSpec(
        "researcher",
        "research-agent",
        "ark/default/research-agent",
        "gpt-4o",
        "mock",
        "",
        0,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of(tools));
  }

  private HttpToolSpec tool(String name, String method, String path, int timeoutSeconds) {
    return new HttpToolSpec(
        name, "Search the catalogue", url(path), method, SEARCH_SCHEMA, timeoutSeconds);
  }

  private ToolResult call(HttpToolSpec tool, String name, String arguments) {
    return activities.callTool(new ToolCallRequest(agent(tool), name, arguments));
  }

  @Test
  void getSendsTheArgumentsAsQueryParameters() {
    answer = "{\"hits\": 2}";
    HttpToolSpec search = tool("search", "GET", "/search?lang=en", 0);

    ToolResult result =
        call(search, "search", "{\"q\": \"blue whale\", \"tags\": [\"a\", \"b\"], \"limit\": 3}");

    assertThat(result).isEqualTo(new ToolResult("{\"hits\": 2}", false));
    assertThat(seen).hasSize(1);
    assertThat(seen.get(0).method()).isEqualTo("GET");
    assertThat(seen.get(0).query()).isEqualTo("lang=en&q=blue%20whale&tags=a&tags=b&limit=3");
    assertThat(seen.get(0).body()).isEmpty();
  }

  @Test
  void postSendsTheArgumentsAsAJsonBody() throws IOException {
    answer = "created";
    HttpToolSpec create = tool("create", "post", "/items", 0);

    ToolResult result = call(create, "create", "{\"q\": \"héllo\", \"limit\": 1}");

    assertThat(result).isEqualTo(new ToolResult("created", false));
    Seen request = seen.get(0);
    assertThat(request.method()).isEqualTo("POST");
    assertThat(request.contentType()).isEqualTo("application/json");
    JsonNode body = JSON.readTree(request.body());
    assertThat(body).isEqualTo(JSON.readTree("{\"q\": \"héllo\", \"limit\": 1}"));
  }

  @Test
  void argumentsThatViolateTheSchemaAreReportedAndNoRequestIsMade() {
    HttpToolSpec search = tool("search", "GET", "/search", 0);

    ToolResult result = call(search, "search", "{\"q\": 42, \"limit\": \"many\"}");

    assertThat(result.error()).isTrue();
    assertThat(result.text())
        .startsWith("arguments for tool \"search\" do not match its input schema:")
        .contains("/q: integer found, string expected", "/limit")
        .contains("call the tool again");
    assertThat(seen).isEmpty();
  }

  @Test
  void argumentsThatAreNotAJsonObjectAreReported() {
    HttpToolSpec search = tool("search", "GET", "/search", 0);

    assertThat(call(search, "search", "[1, 2]"))
        .isEqualTo(new ToolResult("the arguments for \"search\" must be a JSON object", true));
    assertThat(call(search, "search", "{not json").text()).contains("are not valid JSON");
    assertThat(seen).isEmpty();
  }

  @Test
  void aServerErrorIsAnErrorResultWithTheBody() {
    status = 500;
    answer = "database exploded\n";

    ToolResult result = call(tool("search", "GET", "/search", 0), "search", "{\"q\": \"x\"}");

    assertThat(result).isEqualTo(new ToolResult("HTTP 500: database exploded", true));
  }

  @Test
  void aLargeBodyIsCappedWithANote() {
    answer = "x".repeat(200_000);

    ToolResult result = call(tool("search", "GET", "/search", 0), "search", "{\"q\": \"x\"}");

    assertThat(result.error()).isFalse();
    assertThat(result.text()).startsWith("x".repeat(ToolFailures.MAX_RESULT_BYTES));
    assertThat(result.text().substring(ToolFailures.MAX_RESULT_BYTES))
        .startsWith("\n[truncated: the tool returned 200000 bytes");
    assertThat(result.text().length()).isLessThan(ToolFailures.MAX_RESULT_BYTES + 200);
  }

  @Test
  void aRefusedConnectionIsARetryableFailure() {
    HttpToolSpec search = tool("search", "GET", "/search", 0);
    server.stop(0);
    server = null;

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> call(search, "search", "{\"q\": \"x\"}"));

    assertThat(failure.getType()).isEqualTo(ToolFailures.TOOL_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .startsWith("HTTP tool search (" + search.url() + ") unreachable: ");
  }

  @Test
  void aSlowEndpointTimesOutAsARetryableFailure() {
    delayMillis = 3_000;

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> call(tool("search", "GET", "/search", 1), "search", "{\"q\": \"x\"}"));

    assertThat(failure.getType()).isEqualTo(ToolFailures.TOOL_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).endsWith("did not answer within 1 s");
  }

  @Test
  void anUnknownToolIsAnErrorResultNamingTheAvailableOnes() {
    AgentSpec agent =
        agent(tool("search", "GET", "/search", 0), tool("create", "POST", "/items", 0));

    ToolResult result = activities.callTool(new ToolCallRequest(agent, "delete", "{}"));

    assertThat(result)
        .isEqualTo(new ToolResult("unknown tool \"delete\"; available: search, create", true));
    assertThat(seen).isEmpty();
  }

  @Test
  void listToolsOffersTheHttpToolsWithTheirSchemas() {
    HttpToolSpec bare = new HttpToolSpec("ping", null, url("/ping"), "GET", "", 0);

    ToolList list = activities.listTools(agent(tool("search", "GET", "/search", 0), bare));

    assertThat(list.problems()).isEmpty();
    assertThat(list.tools())
        .containsExactly(
            new ToolSpec("search", "Search the catalogue", SEARCH_SCHEMA),
            new ToolSpec("ping", "", "{\"type\":\"object\",\"properties\":{}}"));
  }
}
