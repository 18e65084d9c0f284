package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * A model's answer to one {@link ChatRequest}.
 *
 * @param text the answer text
 * @param toolCalls tools the model wants called before it answers
 * @param usage tokens spent by this call
 * @param data the answer parsed as JSON (maps, lists, strings, numbers), or null when not JSON
 * @param schemaViolations how the answer violates the request's output schema (empty when valid)
 * @param attempt the activity attempt that produced this answer (1 = first try)
 * @param cutOff the model stopped at the output token limit ({@code maxTokensPerCall}), so the
 *     answer is incomplete
 */
public record ChatResponse(
    String text,
    List<ChatMessage.ToolCall> toolCalls,
    TokenUsage usage,
    Object data,
    List<String> schemaViolations,
    int attempt,
    boolean cutOff) {
  public ChatResponse(
      String text,
      List<ChatMessage.ToolCall> toolCalls,
      TokenUsage usage,
      Object data,
      List<String> schemaViolations,
      int attempt) {
    this(text, toolCalls, usage, data, schemaViolations, attempt, false);
  }

  /**
   * This answer as the {@code chat} activity returns it: a text over {@link
   * PayloadLimits#MAX_TEXT_CHARS} cut with a mark, and then without {@code data} (the JSON of the
   * whole text would not fit either).
   */
  public ChatResponse capped() {
    if (text == null || text.length() <= PayloadLimits.MAX_TEXT_CHARS) {
      return this;
    }
    return new ChatResponse(
        PayloadLimits.cap(text, PayloadLimits.MAX_TEXT_CHARS),
        toolCalls,
        usage,
        null,
        schemaViolations,
        attempt,
        cutOff);
  }

  public ChatResponse {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    schemaViolations = schemaViolations == null ? List.of() : List.copyOf(schemaViolations);
    usage = usage == null ? TokenUsage.ZERO : usage;
  }
}
