package dev.arkonis.ark.workflows.api;

import java.util.List;
import java.util.Map;

/**
 * One pipeline step as the workflow runs it.
 *
 * @param name step name (defaults to the role)
 * @param role the role that performs it
 * @param dependsOn steps that must finish (or be skipped) first
 * @param inputs templates; {@code prompt} is the task, other keys are added as labelled context
 * @param outputSchema JSON Schema text the output must satisfy, or null
 * @param condition {@code if:} expression, or null
 * @param loop repeat settings, or null
 * @param validate semantic validation, or null
 * @param timeoutSeconds deadline for the whole step including retries; 0 = none
 * @param retries attempts after the first for a failing LLM call; -1 = default
 */
public record StepSpec(
    String name,
    String role,
    List<String> dependsOn,
    Map<String, String> inputs,
    String outputSchema,
    String condition,
    Loop loop,
    Validation validate,
    int timeoutSeconds,
    int retries) {
  public StepSpec {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
  }

  /**
   * Repeat the step while {@code condition} holds after an iteration, at most {@code max} times.
   */
  public record Loop(String condition, int maxIterations) {}

  /**
   * Ask the role's model whether the output is acceptable.
   *
   * @param semantic the validator prompt (answered VALID or INVALID)
   * @param onFailure {@code retry}, {@code fail} or {@code continue}
   * @param maxRetries re-runs of the step when {@code onFailure: retry}
   */
  public record Validation(String semantic, String onFailure, int maxRetries) {}
}
