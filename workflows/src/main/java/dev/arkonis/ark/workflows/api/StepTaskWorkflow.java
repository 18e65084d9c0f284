package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * A pipeline step that may take many model turns ({@code loop}, semantic {@code retry}), run as a
 * child workflow of its run so it can continue as new between iterations and retries, carrying the
 * step over; the run's own history then grows by one child per such step, not by every turn.
 */
@WorkflowInterface
public interface StepTaskWorkflow {
  @WorkflowMethod(name = "StepTask")
  StepTaskResult run(StepTaskInput input);

  /**
   * @param namespace Kubernetes namespace of the run
   * @param runName ArkRun name
   * @param agents every role of the team
   * @param step the step to run
   * @param defaultTask the task of a step without a prompt
   * @param input the run's inputs ({@code .input})
   * @param trigger the run's trigger ({@code .trigger})
   * @param others the run's other steps as they stood when this one started ({@code .steps})
   * @param maxDepth {@code maxDelegationDepth} of the team
   * @param tokenBudget tokens the step may still spend; 0 = unlimited
   * @param maxHistoryEvents continue as new once the history is longer (or larger than {@link
   *     #MAX_HISTORY_BYTES}, or when Temporal suggests it); 0 = {@value
   *     #DEFAULT_MAX_HISTORY_EVENTS}
   * @param resume where a step that continued as new left off, or null
   * @param team the run's team (a label of the chat calls' metrics), or null
   */
  record StepTaskInput(
      String namespace,
      String runName,
      Map<String, AgentSpec> agents,
      StepSpec step,
      String defaultTask,
      Map<String, Object> input,
      Map<String, Object> trigger,
      List<StepStatus> others,
      int maxDepth,
      long tokenBudget,
      int maxHistoryEvents,
      Resume resume,
      String team) {
    public static final int DEFAULT_MAX_HISTORY_EVENTS = 5_000;

    /** Bytes of history (and characters carried in payloads) after which a step continues. */
    public static final long MAX_HISTORY_BYTES = 4L * 1024 * 1024;

    public StepTaskInput {
      input = input == null ? Map.of() : input;
      trigger = trigger == null ? Map.of() : trigger;
      others = others == null ? List.of() : List.copyOf(others);
    }

    /** The same step continued from {@code resume}. */
    public StepTaskInput resumed(Resume resume) {
      return new StepTaskInput(
          namespace,
          runName,
          agents,
          step,
          defaultTask,
          input,
          trigger,
          others,
          maxDepth,
          tokenBudget,
          maxHistoryEvents,
          resume,
          team);
    }
  }

  /**
   * @param iteration the loop iteration to go on with (1-based)
   * @param round the semantic retry round within it to go on with (0 = its first answer)
   * @param feedback the reviewer's rejection that round answers, or null
   * @param steps this step's status (first) and the tasks it delegated so far
   * @param continuations how many times the step continued as new
   */
  record Resume(
      int iteration, int round, String feedback, List<StepStatus> steps, int continuations) {
    public Resume {
      steps = List.copyOf(steps);
    }
  }

  /**
   * @param phase Succeeded, Skipped, Failed or BudgetExceeded
   * @param message why it failed, or null
   * @param steps this step (first) and every task it delegated
   */
  record StepTaskResult(String phase, String message, List<StepStatus> steps) {
    public StepTaskResult {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }
}
