package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * One message of a conversation with a model.
 *
 * @param type {@code user}, {@code assistant} or {@code tool}
 * @param text the message text (tool result for {@code tool})
 * @param toolCalls tool calls the assistant asked for
 * @param toolCallId for {@code tool}: the call this answers
 * @param toolName for {@code tool}: the tool that was called
 */
public record ChatMessage(
    String type, String text, List<ToolCall> toolCalls, String toolCallId, String toolName) {
  public ChatMessage {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public static ChatMessage user(String text) {
    return new ChatMessage("user", text, List.of(), null, null);
  }

  public static ChatMessage assistant(String text, List<ToolCall> toolCalls) {
    return new ChatMessage("assistant", text, toolCalls, null, null);
  }

  public static ChatMessage toolResult(ToolCall call, String result) {
    return new ChatMessage("tool", result, List.of(), call.id(), call.name());
  }

  /**
   * A model's request to call a tool with JSON arguments.
   *
   * @param arguments the arguments as a JSON object; {@code {}} when the model's were not JSON
   * @param invalidArguments the model's arguments (shortened) when they were not a JSON object,
   *     else null: the call is refused and the model told why, the text never goes back to the
   *     provider
   */
  public record ToolCall(String id, String name, String arguments, String invalidArguments) {
    public ToolCall(String id, String name, String arguments) {
      this(id, name, arguments, null);
    }
  }
}
