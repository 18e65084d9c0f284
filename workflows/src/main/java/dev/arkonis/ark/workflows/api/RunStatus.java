package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * Live status of a run, returned by the workflow's status query and its result.
 *
 * @param phase Pending, Running, Succeeded, Failed, TimedOut, BudgetExceeded or Cancelled
 * @param startTime RFC 3339 with milliseconds
 * @param completionTime RFC 3339 with milliseconds, or null while running
 * @param output the run's output (when Succeeded)
 * @param message why the run ended as it did, or null
 * @param failedStep the step that failed the run, or null
 * @param totalTokenUsage tokens spent by all steps
 * @param steps every step, in pipeline order then in order of delegation
 */
public record RunStatus(
    String phase,
    String startTime,
    String completionTime,
    String output,
    String message,
    String failedStep,
    TokenUsage totalTokenUsage,
    List<StepStatus> steps) {
  public RunStatus {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  public boolean finished() {
    return completionTime != null;
  }
}
