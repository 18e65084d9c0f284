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
import dev.arkonis.ark.workflows.api.PayloadLimits;
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

/** The openai provider against a local OpenAI-compatible server (as vLLM or Ollama's /v1). */
class OpenAiCompatibleFixtureTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY = "sk-fixture-key-0123";
  private static final String TOOL_CALL_ANSWER =
      """
      {"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": "gpt-4o",
       "choices": [{"index": 0, "finish_reason": "tool_calls",
                    "message": {"role": "assistant", "content": null,
                                "tool_calls": [{"id": "call_abc", "type": "function",
                                                "function": {"name": "delegate",
                                                             "arguments": "{\\"role\\":\\"billing\\",\\"task\\":\\"refund\\"}"}}]}}],
       "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}}
      """;

  private HttpServer server;
  private final List<JsonNode> bodies = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile int status = 200;
  private volatile String answer = TOOL_CALL_ANSWER;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v1/chat/completions", this::handle);
    server.start();
  }

  @AfterEach
  void stopServer() {
    if (server != null) {
      server.stop(0);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      bodies.add(JSON.readTree(exchange.getRequestBody()));
      authorizations.add(exchange.getRequestHeaders().getFirst("Authorization"));
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
        new ModelFactory(Map.of("OPENAI_API_KEY", KEY, "OPENAI_BASE_URL", baseUrl), null, null));
  }

  private static ChatRequest request() {
    AgentSpec agent =
        new AgentSpec(
            "coordinator",
            "support-coordinator",
            "ark/default/support-coordinator",
            "gpt-4o",
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
  void sendsTheTurnAndParsesToolCallsAndUsage() {
    ChatResponse response = activities().chat(request());

    assertThat(bodies).hasSize(1);
    JsonNode body = bodies.get(0);
    assertThat(authorizations).containsExactly("Bearer " + KEY);
    assertThat(body.path("model").asText()).isEqualTo("gpt-4o");
    assertThat(body.path("messages").get(0).path("role").asText()).isEqualTo("system");
    assertThat(body.path("messages").get(0).path("content").asText())
        .isEqualTo("You are the support coordinator.");
    assertThat(body.path("messages").get(1).path("content").asText())
        .isEqualTo("Customer 42 was charged twice.");
    assertThat(body.path("temperature").asDouble()).isEqualTo(0.3);
    int maxTokens =
        body.has("max_completion_tokens")
            ? body.get("max_completion_tokens").asInt()
            : body.path("max_tokens").asInt();
    assertThat(maxTokens).isEqualTo(256);
    JsonNode function = body.path("tools").get(0).path("function");
    assertThat(function.path("name").asText()).isEqualTo("delegate");
    assertThat(function.path("parameters").path("properties").path("role").path("enum"))
        .extracting(JsonNode::asText)
        .containsExactly("billing");
    assertThat(function.path("parameters").path("required")).hasSize(2);

    assertThat(response.toolCalls())
        .containsExactly(
            new ChatMessage.ToolCall(
                "call_abc", "delegate", "{\"role\":\"billing\",\"task\":\"refund\"}"));
    assertThat(response.usage()).isEqualTo(new TokenUsage(42, 7));
    assertThat(response.text()).isEmpty();
    assertThat(response.attempt()).isEqualTo(1);
  }

  private static String answer(String finishReason, String content, String toolCalls) {
    try {
      return """
          {"id": "chatcmpl-2", "object": "chat.completion", "created": 1700000000, "model": "m",
           "choices": [{"index": 0, "finish_reason": "%s",
                        "message": {"role": "assistant", "content": %s%s}}],
           "usage": {"prompt_tokens": 30, "completion_tokens": 9, "total_tokens": 39}}
          """
          .formatted(
              finishReason,
              content == null ? "null" : JSON.writeValueAsString(content),
              toolCalls == null ? "" : ", \"tool_calls\": " + toolCalls);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ChatRequest withSchema(ChatRequest base, String schema) {
    return new ChatRequest(
        base.purpose(), base.step(), base.agent(), base.messages(), schema, base.tools());
  }

  @Test
  void toolArgumentsThatAreNotJsonAreRefusedAndNeverSentBackToTheProvider() throws Exception {
    answer =
        answer(
            "tool_calls",
            null,
            "[{\"id\": \"call_bad\", \"type\": \"function\", \"function\": {\"name\":"
                + " \"delegate\", \"arguments\": "
                + JSON.writeValueAsString("{\"role\": \"billing\", \"task\": ")
                + "}}]");

    ChatResponse response = activities().chat(request());

    ChatMessage.ToolCall call = response.toolCalls().get(0);
    assertThat(call.arguments()).isEqualTo("{}");
    assertThat(call.invalidArguments()).isEqualTo("{\"role\": \"billing\", \"task\":");

    // the next turn, with the call in history: a provider must never see the broken text
    ChatRequest first = request();
    ChatMessage.ToolCall verbatim =
        new ChatMessage.ToolCall("call_bad", "delegate", "{\"role\": \"billing\", \"task\": ");
    ChatRequest next =
        new ChatRequest(
            first.purpose(),
            first.step(),
            first.agent(),
            List.of(
                first.messages().get(0),
                ChatMessage.assistant("", List.of(verbatim)),
                ChatMessage.toolResult(verbatim, "error: not valid JSON")),
            null,
            first.tools());
    answer = answer("stop", "done", null);
    activities().chat(next);

    JsonNode sent = bodies.get(1).path("messages").get(2);
    assertThat(sent.path("role").asText()).isEqualTo("assistant");
    assertThat(sent.path("tool_calls").get(0).path("function").path("arguments").asText())
        .isEqualTo("{}");
  }

  @Test
  void outputSchemaGoesAsAJsonSchemaResponseFormatOnTurnsWithoutTools() {
    String schema =
        "{\"type\":\"object\",\"required\":[\"tone\"],"
            + "\"properties\":{\"tone\":{\"type\":\"string\"}}}";
    ChatRequest base = request();
    ChatRequest noTools =
        new ChatRequest(
            base.purpose(), base.step(), base.agent(), base.messages(), schema, List.of());
    answer = answer("stop", "{\"tone\": \"calm\"}", null);

    ChatResponse response = activities().chat(noTools);
    activities().chat(withSchema(base, schema)); // a turn offering tools

    assertThat(response.schemaViolations()).isEmpty();
    JsonNode format = bodies.get(0).path("response_format");
    assertThat(format.path("type").asText()).isEqualTo("json_schema");
    assertThat(format.path("json_schema").path("schema").path("required").get(0).asText())
        .isEqualTo("tone");
    assertThat(format.path("json_schema").path("schema").path("properties").has("tone")).isTrue();
    assertThat(bodies.get(1).path("response_format").path("type").asText())
        .as("with tools the model must stay free to call them")
        .isNotEqualTo("json_schema");
  }

  @Test
  void anAnswerCutOffAtTheTokenLimitIsMarkedAndASchemaStepToldWhy() {
    String schema =
        "{\"type\":\"object\",\"required\":[\"tone\"],"
            + "\"properties\":{\"tone\":{\"type\":\"string\"}}}";
    answer = answer("length", "{\"tone\": \"a very long", null);

    ChatResponse withSchema = activities().chat(withSchema(request(), schema));

    assertThat(withSchema.cutOff()).isTrue();
    assertThat(withSchema.schemaViolations())
        .singleElement()
        .asString()
        .contains("cut off at the token limit", "maxTokensPerCall 256")
        .doesNotContain("not JSON");

    answer = answer("length", "The first half of an", null);
    ChatResponse plain = activities().chat(request());
    assertThat(plain.cutOff()).isTrue();
    assertThat(plain.schemaViolations()).isEmpty();

    answer = answer("stop", "A whole answer.", null);
    assertThat(activities().chat(request()).cutOff()).isFalse();
  }

  @Test
  void anAnswerOverTheTextLimitIsCutWithItsLengthAndWithoutData() {
    String huge = "[" + "1,".repeat(2_621_440) + "1]"; // 5 MiB of JSON
    answer = answer("stop", huge, null);

    ChatResponse response = activities().chat(request());

    assertThat(response.text())
        .hasSize(PayloadLimits.MAX_TEXT_CHARS + PayloadLimits.TRUNCATED_MARK.length() + 28)
        .startsWith("[1,1,")
        .endsWith(PayloadLimits.TRUNCATED_MARK + huge.length() + " characters in total)");
    assertThat(response.data()).as("the JSON of the whole answer").isNull();
    assertThat(response.usage()).isEqualTo(new TokenUsage(30, 9));
  }

  @Test
  void unauthorizedIsANonRetryableAuthError() {
    status = 401;
    answer =
        "{\"error\": {\"message\": \"Incorrect API key provided: "
            + KEY
            + "\","
            + " \"type\": \"invalid_request_error\", \"code\": \"invalid_api_key\"}}";

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities().chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.AUTH_ERROR);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo("openai rejected the API key (401); set OPENAI_API_KEY for the agent's workers");
    assertThat(bodies).hasSize(1); // maxRetries(0): Temporal retries, not langchain4j
  }

  @Test
  void serverErrorIsRetryable() {
    status = 500;
    answer = "{\"error\": {\"message\": \"The server had an error\"}}";

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities().chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.PROVIDER_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    assertThat(failure.getOriginalMessage())
        .startsWith("openai server error (500)")
        .contains("The server had an error");
    assertThat(bodies).hasSize(1);
  }

  @Test
  void rateLimitIsRetryable() {
    status = 429;
    answer = "{\"error\": {\"message\": \"Rate limit reached\"}}";

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities().chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.PROVIDER_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
  }

  @Test
  void anUnreachableServerIsRetryable() {
    int port = server.getAddress().getPort();
    server.stop(0);
    AgentActivitiesImpl activities =
        new AgentActivitiesImpl(
            new ModelFactory(
                Map.of("OPENAI_BASE_URL", "http://127.0.0.1:" + port + "/v1"), null, null));

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities.chat(request()));

    assertThat(failure.getType()).isEqualTo(AgentActivities.PROVIDER_UNAVAILABLE);
    assertThat(failure.isNonRetryable()).isFalse();
    server = null;
  }
}
