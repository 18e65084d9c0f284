package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * Live status of one step, as shown in {@code ArkRun.status.steps[]}.
 *
 * @param name step name
 * @param role role that runs it
 * @param phase Pending, Running, Succeeded, Failed, Skipped, TimedOut or Cancelled
 * @param attempts 1 + retries of failed LLM calls + re-asks after an output-schema or semantic
 *     validation failure (further agent-loop turns do not count)
 * @param startTime RFC 3339 with milliseconds, or null
 * @param completionTime RFC 3339 with milliseconds, or null
 * @param output the step's output text
 * @param data the output parsed as JSON, or null
 * @param tokenUsage tokens spent by the step
 * @param message why it failed or was skipped, or null
 * @param delegatedFrom the step that delegated this task, or null
 * @param iterations completed loop iterations (1 without a loop)
 * @param toolCalls the tool calls the step's agent made, in order (at most {@link
 *     StepToolCall#MAX_PER_STEP}); empty for none (and in statuses recorded before the field)
 * @param route the decision of a routed team's {@code route} step, or null
 */
public record StepStatus(
    String name,
    String role,
    String phase,
    int attempts,
    String startTime,
    String completionTime,
    String output,
    Object data,
    TokenUsage tokenUsage,
    String message,
    String delegatedFrom,
    int iterations,
    List<StepToolCall> toolCalls,
    Route route) {
  public StepStatus {
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  /** A step that is not a routing decision. */
  public StepStatus(
      String name,
      String role,
      String phase,
      int attempts,
      String startTime,
      String completionTime,
      String output,
      Object data,
      TokenUsage tokenUsage,
      String message,
      String delegatedFrom,
      int iterations,
      List<StepToolCall> toolCalls) {
    this(
        name,
        role,
        phase,
        attempts,
        startTime,
        completionTime,
        output,
        data,
        tokenUsage,
        message,
        delegatedFrom,
        iterations,
        toolCalls,
        null);
  }

  /** A step without tool calls that is not a routing decision. */
  public StepStatus(
      String name,
      String role,
      String phase,
      int attempts,
      String startTime,
      String completionTime,
      String output,
      Object data,
      TokenUsage tokenUsage,
      String message,
      String delegatedFrom,
      int iterations) {
    this(
        name,
        role,
        phase,
        attempts,
        startTime,
        completionTime,
        output,
        data,
        tokenUsage,
        message,
        delegatedFrom,
        iterations,
        List.of(),
        null);
  }

  /**
   * What the router decided ({@code ArkRun status.steps[].resolvedAgent}, {@code
   * selectedCapability}, {@code routingReason}).
   */
  public record Route(String resolvedAgent, String selectedCapability, String routingReason) {}
}
