package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;

/** Converts between the workflow's chat records and langchain4j's request and response types. */
final class ChatConversion {
  private static final String EMPTY_USER_TEXT = "(no text)";
  private static final String SCHEMA_NAME = "output";
  private static final int MAX_ECHO = 200;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ChatConversion() {}

  /**
   * The langchain4j request for one turn.
   *
   * @param jsonMode whether to ask for a JSON response format (the agent wants it and the provider
   *     supports it)
   * @throws IllegalArgumentException when a message or tool schema cannot be converted
   */
  static dev.langchain4j.model.chat.request.ChatRequest toLangchain(
      ChatRequest request, boolean jsonMode) {
    return toLangchain(request, jsonMode, false);
  }

  /**
   * As above; with {@code jsonSchema} (the provider takes a JSON Schema response format) a turn
   * without tools of a step with an object {@code outputSchema} asks for that schema ({@code
   * response_format: json_schema}), which constrains the model's answer to it.
   */
  static dev.langchain4j.model.chat.request.ChatRequest toLangchain(
      ChatRequest request, boolean jsonMode, boolean jsonSchema) {
    AgentSpec agent = request.agent();
    List<dev.langchain4j.data.message.ChatMessage> messages = new ArrayList<>();
    if (agent.systemPrompt() != null && !agent.systemPrompt().isBlank()) {
      messages.add(SystemMessage.from(agent.systemPrompt()));
    }
    for (ChatMessage message : request.messages()) {
      messages.add(message(message));
    }
    List<ToolSpecification> tools = new ArrayList<>();
    for (ChatRequest.ToolSpec tool : request.tools()) {
      tools.add(ToolSchemas.toolSpecification(tool));
    }
    DefaultChatRequestParameters.Builder<?> parameters = DefaultChatRequestParameters.builder();
    if (agent.model() != null && !agent.model().isBlank()) {
      parameters.modelName(agent.model());
    }
    if (agent.maxTokensPerCall() > 0) {
      parameters.maxOutputTokens(agent.maxTokensPerCall());
    }
    if (agent.temperature() != null) {
      parameters.temperature(agent.temperature());
    }
    if (!tools.isEmpty()) {
      parameters.toolSpecifications(tools);
    }
    ResponseFormat schemaFormat =
        jsonSchema && tools.isEmpty() ? schemaFormat(request.outputSchema()) : null;
    if (schemaFormat != null) {
      parameters.responseFormat(schemaFormat);
    } else if (jsonMode) {
      parameters.responseFormat(ResponseFormat.JSON);
    }
    return dev.langchain4j.model.chat.request.ChatRequest.builder()
        .messages(messages)
        .parameters(parameters.build())
        .build();
  }

  /**
   * A {@code json_schema} response format for an output schema whose root is an object (what
   * OpenAI-compatible servers take), else null. The schema goes as written (non-strict).
   */
  static ResponseFormat schemaFormat(String outputSchema) {
    if (outputSchema == null || outputSchema.isBlank()) {
      return null;
    }
    JsonNode schema;
    try {
      schema = JSON.readTree(outputSchema);
    } catch (JsonProcessingException e) {
      return null;
    }
    if (schema == null || !schema.isObject()) {
      return null;
    }
    JsonNode type = schema.get("type");
    boolean object =
        type == null
            ? schema.has("properties")
            : type.isTextual() && type.asText().equals("object");
    if (!object) {
      return null;
    }
    return ResponseFormat.builder()
        .type(ResponseFormatType.JSON)
        .jsonSchema(
            JsonSchema.builder()
                .name(SCHEMA_NAME)
                .rootElement(JsonRawSchema.from(schema.toString()))
                .build())
        .build();
  }

  private static dev.langchain4j.data.message.ChatMessage message(ChatMessage message) {
    String type = message.type() == null ? "" : message.type();
    String text = message.text();
    return switch (type) {
      case "user" -> UserMessage.from(text == null || text.isBlank() ? EMPTY_USER_TEXT : text);
      case "assistant" -> {
        List<ToolExecutionRequest> calls = new ArrayList<>();
        for (ChatMessage.ToolCall call : message.toolCalls()) {
          calls.add(
              ToolExecutionRequest.builder()
                  .id(call.id())
                  .name(call.name())
                  .arguments(jsonObject(call.arguments()) ? call.arguments() : "{}")
                  .build());
        }
        AiMessage.Builder ai =
            AiMessage.builder().text(text == null || text.isEmpty() ? null : text);
        if (!calls.isEmpty()) {
          ai.toolExecutionRequests(calls);
        }
        yield ai.build();
      }
      case "tool" ->
          ToolExecutionResultMessage.from(
              message.toolCallId(), message.toolName(), text == null ? "" : text);
      default ->
          throw new IllegalArgumentException(
              "message type '" + type + "' is not user, assistant or tool");
    };
  }

  /**
   * The tool calls of an answer; calls without an id get {@code call-<n>}. Arguments that are not a
   * JSON object become {@code {}}, with the model's text (shortened) in {@code invalidArguments}:
   * sent back verbatim, a provider would reject the whole next request.
   */
  static List<ChatMessage.ToolCall> toolCalls(AiMessage answer) {
    List<ChatMessage.ToolCall> calls = new ArrayList<>();
    if (answer != null && answer.hasToolExecutionRequests()) {
      List<ToolExecutionRequest> requests = answer.toolExecutionRequests();
      for (int i = 0; i < requests.size(); i++) {
        ToolExecutionRequest call = requests.get(i);
        String id = call.id() == null || call.id().isBlank() ? "call-" + (i + 1) : call.id();
        String arguments =
            call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
        if (jsonObject(arguments)) {
          calls.add(new ChatMessage.ToolCall(id, call.name(), arguments));
        } else {
          calls.add(new ChatMessage.ToolCall(id, call.name(), "{}", shorten(arguments)));
        }
      }
    }
    return calls;
  }

  static boolean jsonObject(String text) {
    if (text == null) {
      return false;
    }
    try {
      JsonNode node = JSON.readTree(text);
      return node != null && node.isObject();
    } catch (JsonProcessingException e) {
      return false;
    }
  }

  private static String shorten(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() <= MAX_ECHO ? oneLine : oneLine.substring(0, MAX_ECHO) + "…";
  }

  /**
   * Tokens of a call as the provider reported them; what it did not report is estimated as
   * characters / 4.
   */
  /** The request's input tokens as estimated from its characters (as the mock provider counts). */
  static int estimatedInput(dev.langchain4j.model.chat.request.ChatRequest request) {
    int chars = 0;
    for (dev.langchain4j.data.message.ChatMessage message : request.messages()) {
      chars += MockReplies.characters(message);
    }
    return MockChatModel.estimate(chars);
  }

  static TokenUsage usage(
      dev.langchain4j.model.chat.request.ChatRequest request, ChatResponse response) {
    dev.langchain4j.model.output.TokenUsage reported = response.tokenUsage();
    Integer input = reported == null ? null : reported.inputTokenCount();
    Integer output = reported == null ? null : reported.outputTokenCount();
    if (input == null) {
      input = estimatedInput(request);
    }
    if (output == null) {
      output = MockChatModel.estimate(MockReplies.characters(response.aiMessage()));
    }
    return new TokenUsage(input, output);
  }
}
