package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The anthropic provider against a local server speaking Anthropic's Messages API. */
class AnthropicFixtureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-ant-fixture-key-0123";
  private static final String TOOL_USE_ANSWER =
      """
      {"id": "msg_01", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
       "content": [{"type": "text", "text": "Handing this to billing."},
                   {"type": "tool_use", "id": "toolu_01", "name": "delegate",
                    "input": {"role": "billing", "task": "refund"}}],
       "stop_reason": "tool_use", "stop_sequence": null,
       "usage": {"input_tokens": 42, "output_tokens": 7}}
      """;

  private HttpServer server;
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  private final List<String> apiKeys = new CopyOnWriteArrayList<>();
  private final List<String> versions = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = TOOL_USE_ANSWER;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/messages", this::handle);
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      bodies.add(JSON.readTree(exchange.getRequestBody()));
      apiKeys.add(exchange.getRequestHeaders().getFirst("x-api-key"));
      versions.add(exchange.getRequestHeaders().getFirst("anthropic-version"));
      byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private AgentActivitiesImpl activities() {
    String baseUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    return new AgentActivitiesImpl(
        new ModelFactory(
            Map.of("ANTHROPIC_API_KEY", KEY, "ANTHROPIC_BASE_URL", baseUrl), null, null));
  }

  private static ChatRequest request() {
    AgentSpec agent =
        new AgentSpec(
            "coordinator",
            "support-coordinator",
            "ark/default/support-coordinator",
            "claude-sonnet-4-6",
            "",
            "You are the support coordinator.",
            256,
            20,
            0.3,
            false,
            List.of("billing"),
            List.of(),
            List.of());
    return new ChatRequest(
        "task",
        "triage",
        agent,
        List.of(ChatMessage.user("Customer 42 was charged twice.")),
        null,
        List.of(
            new ChatRequest.ToolSpec(
                "delegate",
                "Hand a task to another role",
                "{\"type\":\"object\",\"properties\":{\"role\":{\"type\":\"string\","
                    + "\"enum\":[\"billing\"]},\"task\":{\"type\":\"string\"}},"
                    + "\"required\":[\"role\",\"task\"]}")));
  }

  @Test
  void sendsTheTurnAndParsesToolUseAndUsage() {
    ChatResponse response = activities().chat(request());

    assertThat(bodies).hasSize(1);
    JsonNode body = bodies.get(0);
    assertThat(apiKeys).containsExactly(KEY);
    assertThat(versions.get(0)).isNotBlank();
    assertThat(body.path("model").asText()).isEqualTo("claude-sonnet-4-6");
    JsonNode system = body.path("system");
    String systemText = system.isArray() ? system.get(0).path("text").asText() : system.asText();
    assertThat(systemText).isEqualTo("You are the support coordinator.");
    assertThat(body.path("messages")).hasSize(1);
    JsonNode user = body.path("messages").get(0);
    assertThat(user.path("role").asText()).isEqualTo("user");
    assertThat(user.toString()).contains("Customer 42 was charged twice.");
    assertThat(body.path("max_tokens").asInt()).isEqualTo(256);
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
    JsonNode tool = body.path("tools").get(0);
    assertThat(tool.path("name").asText()).isEqualTo("delegate");
    assertThat(tool.path("description").asText()).isEqualTo("Hand a task to another role");
    assertThat(tool.path("input_schema").path("properties").path("role").path("enum"))
        .extracting(JsonNode::asText)
        .containsExactly("billing");
    assertThat(tool.path("input_schema").path("required"))
        .extracting(JsonNode::asText)
        .containsExactly("role", "task");

    assertThat(response.toolCalls()).hasSize(1);
    ChatMessage.ToolCall call = response.toolCalls().get(0);
    assertThat(call.id()).isEqualTo("toolu_01");
    assertThat(call.name()).isEqualTo("delegate");
    assertThat(parse(call.arguments()))
        .isEqualTo(JSON.createObjectNode().put("role", "billing").put("task", "refund"));
    assertThat(response.text()).isEqualTo("Handing this to billing.");
    assertThat(response.usage()).isEqualTo(new TokenUsage(42, 7));
  }

  private static JsonNode parse(String json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void unauthorizedIsANonRetryableAuthError() {
    status = 401;
    answer =
        "{\"type\": \"error\", \"error\": {\"type\": \"authentication_error\","
            + " \"message\": \"invalid x-api-key\"}}";

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities().chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.AUTH_ERROR);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "anthropic rejected the API key (401); set ANTHROPIC_API_KEY for the agent's workers")
        .doesNotContain(KEY);
    assertThat(bodies).hasSize(1); // maxRetries(0): Temporal retries, not langchain4j
  }

  @ParameterizedTest
  @CsvSource({
    "429, rate_limit_error, Number of request tokens has exceeded your rate limit",
    "529, overloaded_error, Overloaded",
    "500, api_error, Internal server error"
  })
  void rateLimitsOverloadAndServerErrorsAreRetryable(int code, String type, String message) {
    status = code;
    answer =
        "{\"type\": \"error\", \"error\": {\"type\": \""
            + type
            + "\", \"message\": \""
            + message
            + "\"}}";

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities().chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.PROVIDER_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage()).contains("(" + code + ")").doesNotContain(KEY);
    assertThat(bodies).hasSize(1);
  }
}
