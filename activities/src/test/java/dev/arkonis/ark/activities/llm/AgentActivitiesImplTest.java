package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AgentActivitiesImplTest {
  static final String SCHEMA =
      """
      {"type": "object", "required": ["keyPoints", "tone"],
       "properties": {"keyPoints": {"type": "array", "items": {"type": "string"}},
                      "tone": {"type": "string"}}}
      """;

  static AgentSpec agent(String model, String provider) {
    return new AgentSpec(
        "researcher",
        "blog-researcher",
        "ark/default/blog-researcher",
        model,
        provider,
        "You are a research specialist.",
        500,
        60,
        0.2,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  static ChatRequest request(String schema, String prompt) {
    return new ChatRequest(
        "task", "research", agent("gpt-4o", ""), List.of(ChatMessage.user(prompt)), schema, null);
  }

  private static ChatResponse answer(String text, String schema) {
    AgentActivitiesImpl activities =
        new AgentActivitiesImpl(
            ChatModels.of("mock", MockChatModel.scripted(List.of(ScriptedReply.text(text)))));
    return activities.chat(request(schema, "research"));
  }

  @Test
  void parsesJsonInsideFencesAndReportsNoViolations() {
    ChatResponse response =
        answer(
            "Here you go:\n```json\n{\"keyPoints\": [\"a\", \"b\"], \"tone\": \"calm\"}\n```",
            SCHEMA);

    assertThat(response.schemaViolations()).isEmpty();
    assertThat(response.data()).isEqualTo(Map.of("keyPoints", List.of("a", "b"), "tone", "calm"));
  }

  @Test
  void findsTheFirstJsonBlockInProse() {
    ChatResponse response =
        answer("Sure! {\"keyPoints\": [\"x {y}\"], \"tone\": \"dry\"} Hope that helps.", SCHEMA);

    assertThat(response.schemaViolations()).isEmpty();
    assertThat(response.data()).isEqualTo(Map.of("keyPoints", List.of("x {y}"), "tone", "dry"));
  }

  @Test
  void reportsSchemaViolations() {
    ChatResponse response = answer("{\"keyPoints\": \"one\", \"count\": 3}", SCHEMA);

    assertThat(response.data()).isEqualTo(Map.of("keyPoints", "one", "count", 3));
    assertThat(response.schemaViolations())
        .anySatisfy(v -> assertThat(v).contains("tone"))
        .anySatisfy(v -> assertThat(v).contains("keyPoints"));
  }

  @Test
  void aNonJsonAnswerIsOneViolation() {
    ChatResponse response = answer("I could not find anything.", SCHEMA);

    assertThat(response.data()).isNull();
    assertThat(response.schemaViolations()).containsExactly(AgentActivitiesImpl.NOT_JSON);
  }

  @Test
  void withoutSchemaDataIsSetOnlyForAWholeJsonAnswer() {
    assertThat(answer("[1, 2.5, true, null]", null).data())
        .isEqualTo(java.util.Arrays.asList(1, 2.5, true, null));
    assertThat(answer("```json\n{\"a\": {\"b\": 1}}\n```", null).data())
        .isEqualTo(Map.of("a", Map.of("b", 1)));
    assertThat(answer("The result is {\"a\": 1}.", null).data()).isNull();
    assertThat(answer("plain text", null).schemaViolations()).isEmpty();
  }

  @Test
  void toolCallsComeBackWithoutSchemaCheck() {
    AgentActivitiesImpl activities =
        new AgentActivitiesImpl(
            ChatModels.of(
                "mock",
                MockChatModel.scripted(
                    List.of(
                        ScriptedReply.toolCalls(
                                new ChatMessage.ToolCall("c7", "search", "{\"q\":\"k8s\"}"))
                            .withUsage(30, 5)))),
            () -> 2);

    ChatResponse response = activities.chat(request(SCHEMA, "research"));

    assertThat(response.toolCalls())
        .containsExactly(new ChatMessage.ToolCall("c7", "search", "{\"q\":\"k8s\"}"));
    assertThat(response.schemaViolations()).isEmpty();
    assertThat(response.data()).isNull();
    assertThat(response.usage()).isEqualTo(new TokenUsage(30, 5));
    assertThat(response.attempt()).isEqualTo(2);
  }

  @Test
  void attemptIsOneOutsideAnActivity() {
    assertThat(answer("hi", null).attempt()).isEqualTo(1);
  }

  @Test
  void convertsTheWholeRequestForTheModel() {
    AtomicReference<dev.langchain4j.model.chat.request.ChatRequest> seen = new AtomicReference<>();
    ChatModel capturing =
        new ChatModel() {
          @Override
          public dev.langchain4j.model.chat.response.ChatResponse doChat(
              dev.langchain4j.model.chat.request.ChatRequest request) {
            seen.set(request);
            return dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from("ok"))
                .build();
          }
        };
    AgentSpec agent =
        new AgentSpec(
            "coordinator",
            "support-coordinator",
            "q",
            "gpt-4o",
            "",
            "Route tickets.",
            256,
            30,
            0.7,
            true,
            List.of("billing"),
            List.of(),
            List.of());
    ChatMessage.ToolCall call =
        new ChatMessage.ToolCall("c1", "delegate", "{\"role\":\"billing\"}");
    ChatRequest request =
        new ChatRequest(
            "task",
            "triage",
            agent,
            List.of(
                ChatMessage.user("Help customer 42"),
                ChatMessage.assistant("", List.of(call)),
                ChatMessage.toolResult(call, "refunded")),
            null,
            List.of(
                new ChatRequest.ToolSpec(
                    "delegate",
                    "Hand a task to another role",
                    "{\"type\":\"object\",\"properties\":{\"role\":{\"type\":\"string\","
                        + "\"enum\":[\"billing\"]},\"task\":{\"type\":\"string\"}},"
                        + "\"required\":[\"role\",\"task\"]}")));

    ChatResponse response =
        new AgentActivitiesImpl(ChatModels.of("openai", capturing)).chat(request);

    dev.langchain4j.model.chat.request.ChatRequest sent = seen.get();
    assertThat(sent.messages()).hasSize(4);
    assertThat(sent.messages().get(0)).isEqualTo(SystemMessage.from("Route tickets."));
    assertThat(sent.messages().get(1)).isEqualTo(UserMessage.from("Help customer 42"));
    assertThat(((AiMessage) sent.messages().get(2)).toolExecutionRequests().get(0).id())
        .isEqualTo("c1");
    assertThat(sent.messages().get(3))
        .isEqualTo(ToolExecutionResultMessage.from("c1", "delegate", "refunded"));
    assertThat(sent.maxOutputTokens()).isEqualTo(256);
    assertThat(sent.temperature()).isEqualTo(0.7);
    assertThat(sent.modelName()).isEqualTo("gpt-4o");
    assertThat(sent.responseFormat()).isEqualTo(ResponseFormat.JSON);
    assertThat(sent.toolSpecifications())
        .singleElement()
        .satisfies(
            tool -> {
              assertThat(tool.name()).isEqualTo("delegate");
              assertThat(tool.parameters().required()).containsExactly("role", "task");
              assertThat(tool.parameters().properties().get("role"))
                  .isEqualTo(JsonEnumSchema.builder().enumValues("billing").build());
            });
    assertThat(response.text()).isEqualTo("ok");
    assertThat(response.usage().inputTokens()).isPositive(); // estimated: the model reported none
  }

  @Test
  void anthropicGetsNoJsonResponseFormat() {
    AtomicReference<dev.langchain4j.model.chat.request.ChatRequest> seen = new AtomicReference<>();
    ChatModel capturing =
        new ChatModel() {
          @Override
          public dev.langchain4j.model.chat.response.ChatResponse doChat(
              dev.langchain4j.model.chat.request.ChatRequest request) {
            seen.set(request);
            return dev.langchain4j.model.chat.response.ChatResponse.builder()
                .aiMessage(AiMessage.from("{}"))
                .build();
          }
        };
    AgentSpec agent =
        new AgentSpec(
            "r",
            "a",
            "q",
            "claude-sonnet-4-6",
            "",
            "",
            0,
            0,
            null,
            true,
            List.of(),
            List.of(),
            List.of());

    new AgentActivitiesImpl(ChatModels.of("anthropic", capturing))
        .chat(new ChatRequest("task", "s", agent, List.of(ChatMessage.user("hi")), null, null));

    assertThat(seen.get().responseFormat()).isNull();
    assertThat(seen.get().maxOutputTokens()).isNull();
    assertThat(seen.get().temperature()).isNull();
    assertThat(seen.get().messages()).hasSize(1); // blank system prompt is left out
  }

  @Test
  void aBrokenToolSchemaIsAnInvalidRequest() {
    ChatRequest request =
        new ChatRequest(
            "task",
            "s",
            agent("gpt-4o", ""),
            List.of(ChatMessage.user("hi")),
            null,
            List.of(new ChatRequest.ToolSpec("search", "find", "{not json")));

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () ->
                new AgentActivitiesImpl(ChatModels.of("mock", new MockChatModel())).chat(request));

    assertThat(failure.getType()).isEqualTo(AgentActivities.INVALID_REQUEST);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage()).contains("tool search").contains("not valid JSON");
  }

  @ParameterizedTest(name = "{0} on {1}")
  @CsvSource(
      quoteCharacter = '"',
      value = {
        "auth,        openai,    AuthError,           true,  openai rejected the API key (401); set OPENAI_API_KEY for the agent's workers",
        "forbidden,   anthropic, AuthError,           true,  anthropic rejected the API key (403); set ANTHROPIC_API_KEY for the agent's workers",
        "invalid,     openai,    InvalidRequest,      true,  openai rejected the request (400)",
        "not-found,   openai,    InvalidRequest,      true,  does not know model 'gpt-4o' (404)",
        "rate-limit,  openai,    ProviderUnavailable, false, openai rate limit hit (429)",
        "server,      gemini,    ProviderUnavailable, false, gemini server error (500)",
        "503,         openai,    ProviderUnavailable, false, openai server error (503)",
        "timeout,     openai,    ProviderUnavailable, false, openai did not answer in time (408)",
        "connection,  ollama,    ProviderUnavailable, false, cannot reach ollama: connection refused (check OLLAMA_BASE_URL",
      })
  void mapsProviderErrors(
      String error, String provider, String type, boolean nonRetryable, String message) {
    AgentActivitiesImpl activities =
        new AgentActivitiesImpl(
            ChatModels.of(provider, MockChatModel.scripted(List.of(ScriptedReply.error(error)))));

    ApplicationFailure failure =
        catchThrowableOfType(ApplicationFailure.class, () -> activities.chat(request(null, "hi")));

    assertThat(failure.getType()).isEqualTo(type);
    assertThat(failure.isNonRetryable()).isEqualTo(nonRetryable);
    assertThat(failure.getOriginalMessage()).contains(message);
  }

  @Test
  void errorMessagesNeverCarryTheApiKey() {
    String key = "sk-live-0123456789abcdef";
    ModelFactory models =
        new ModelFactory(
            Map.of("OPENAI_API_KEY", key),
            "mock",
            MockChatModel.Options.DEFAULT.withScript(
                List.of(
                    ScriptedReply.error("invalid", "bad header Authorization: Bearer " + key))));

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> new AgentActivitiesImpl(models).chat(request(null, "hi")));

    assertThat(failure.getOriginalMessage()).doesNotContain(key).contains("Bearer ***");
  }

  @Test
  void mockProviderAnswersSchemaStepsValidly() throws Exception {
    String schema = SchemaInstanceGeneratorTest.blogWriterResearcherSchema();
    ModelFactory models = new ModelFactory(Map.of(), "mock", null);
    String prompt =
        "List 3 key points about \"agents\".\n\n"
            + MockReplies.SCHEMA_MARKER
            + "\n```json\n"
            + schema.strip()
            + "\n```";

    ChatResponse response = new AgentActivitiesImpl(models).chat(request(schema, prompt));

    assertThat(response.schemaViolations()).isEmpty();
    assertThat(response.data()).isInstanceOf(Map.class);
    assertThat(response.usage().totalTokens()).isPositive();
  }
}
