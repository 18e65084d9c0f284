package dev.arkonis.ark.activities.llm;

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
import dev.langchain4j.model.chat.response.ChatResponse;
import java.util.ArrayList;
import java.util.List;

/** Converts between the workflow's chat records and langchain4j's request and response types. */
final class ChatConversion {
  private static final String EMPTY_USER_TEXT = "(no text)";

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
    if (jsonMode) {
      parameters.responseFormat(ResponseFormat.JSON);
    }
    return dev.langchain4j.model.chat.request.ChatRequest.builder()
        .messages(messages)
        .parameters(parameters.build())
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
                  .arguments(call.arguments() == null ? "{}" : call.arguments())
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

  /** The tool calls of an answer; calls without an id get {@code call-<n>}. */
  static List<ChatMessage.ToolCall> toolCalls(AiMessage answer) {
    List<ChatMessage.ToolCall> calls = new ArrayList<>();
    if (answer != null && answer.hasToolExecutionRequests()) {
      List<ToolExecutionRequest> requests = answer.toolExecutionRequests();
      for (int i = 0; i < requests.size(); i++) {
        ToolExecutionRequest call = requests.get(i);
        String id = call.id() == null || call.id().isBlank() ? "call-" + (i + 1) : call.id();
        String arguments =
            call.arguments() == null || call.arguments().isBlank() ? "{}" : call.arguments();
        calls.add(new ChatMessage.ToolCall(id, call.name(), arguments));
      }
    }
    return calls;
  }

  /**
   * Tokens of a call as the provider reported them; what it did not report is estimated as
   * characters / 4.
   */
  static TokenUsage usage(
      dev.langchain4j.model.chat.request.ChatRequest request, ChatResponse response) {
    dev.langchain4j.model.output.TokenUsage reported = response.tokenUsage();
    Integer input = reported == null ? null : reported.inputTokenCount();
    Integer output = reported == null ? null : reported.outputTokenCount();
    if (input == null) {
      int chars = 0;
      for (dev.langchain4j.data.message.ChatMessage message : request.messages()) {
        chars += MockReplies.characters(message);
      }
      input = MockChatModel.estimate(chars);
    }
    if (output == null) {
      output = MockChatModel.estimate(MockReplies.characters(response.aiMessage()));
    }
    return new TokenUsage(input, output);
  }
}
