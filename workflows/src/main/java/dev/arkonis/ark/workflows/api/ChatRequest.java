package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * One LLM turn, executed by the {@code chat} activity on the agent's task queue.
 *
 * @param purpose {@code task} for a step's work, {@code validate} for a semantic check
 * @param step step name (for logs and summaries)
 * @param agent the agent's model settings and system prompt
 * @param messages the conversation so far
 * @param outputSchema JSON Schema the final answer must satisfy, or null; the activity checks it
 * @param tools tools offered to the model
 * @param team the run's ArkTeam (the tokens metric's {@code team} label), or null outside a run
 */
public record ChatRequest(
    String purpose,
    String step,
    AgentSpec agent,
    List<ChatMessage> messages,
    String outputSchema,
    List<ToolSpec> tools,
    String team) {
  /**
   * Line the workflow puts before a step's output schema in the task prompt (models see what shape
   * to answer in; the mock provider answers with an instance of the schema that follows).
   */
  public static final String SCHEMA_MARKER = "Respond with JSON only, matching this JSON Schema:";

  public ChatRequest {
    messages = List.copyOf(messages);
    tools = tools == null ? List.of() : List.copyOf(tools);
  }

  /** A turn outside a team run (e.g. a semantic probe). */
  public ChatRequest(
      String purpose,
      String step,
      AgentSpec agent,
      List<ChatMessage> messages,
      String outputSchema,
      List<ToolSpec> tools) {
    this(purpose, step, agent, messages, outputSchema, tools, null);
  }

  /** A tool offered to the model: name, description and JSON Schema of its arguments. */
  public record ToolSpec(String name, String description, String parametersSchema) {}
}
