package dev.arkonis.ark.workflows.api;

/**
 * One tool call a step's agent made, as shown in {@code ArkRun.status.steps[].toolCalls[]}: an MCP
 * tool ({@code <server>__<tool>}), an inline HTTP tool, or the built-in {@code delegate}.
 *
 * @param name the tool's name as the model called it
 * @param arguments the arguments the model gave (JSON text), cut to {@link #MAX_TEXT_CHARS}
 * @param outcome {@link #OK}, {@link #ERROR} (the tool failed or answered with an error) or {@link
 *     #DENIED} (refused without running: arguments not JSON, delegation outside {@code canDelegate}
 *     or past {@code maxDelegationDepth})
 * @param result what the model got back, cut to {@link #MAX_TEXT_CHARS}
 */
public record StepToolCall(String name, String arguments, String outcome, String result) {
  public static final String OK = "ok";
  public static final String ERROR = "error";
  public static final String DENIED = "denied";

  /** Longest arguments or result kept per call (the whole texts are in the workflow history). */
  public static final int MAX_TEXT_CHARS = 4096;

  /** Most tool calls kept per step: the first ones. */
  public static final int MAX_PER_STEP = 50;

  /** A call with its texts cut to {@link #MAX_TEXT_CHARS}. */
  public static StepToolCall of(String name, String arguments, String outcome, String result) {
    return new StepToolCall(
        name,
        PayloadLimits.cap(arguments, MAX_TEXT_CHARS),
        outcome,
        PayloadLimits.cap(result, MAX_TEXT_CHARS));
  }

  /** This call with its texts cut to {@code max} characters. */
  public StepToolCall capped(int max) {
    return new StepToolCall(
        name, PayloadLimits.cap(arguments, max), outcome, PayloadLimits.cap(result, max));
  }
}
