package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * A delegated task: one role's agent loop (LLM turns, tool calls, further delegation) run as a
 * child workflow of the run, so each delegation is visible on its own in the Temporal UI.
 */
@WorkflowInterface
public interface AgentTaskWorkflow {
  @WorkflowMethod(name = "AgentTask")
  AgentTaskResult run(AgentTaskInput input);

  /**
   * @param namespace Kubernetes namespace of the run
   * @param runName ArkRun name
   * @param agents every role of the team (delegation targets are looked up here)
   * @param role the role doing the task
   * @param stepName the name this task has in the run's status
   * @param task the task text from the delegating model
   * @param depth delegation depth of this task (1 = delegated by a top-level step)
   * @param maxDepth {@code maxDelegationDepth} of the team
   * @param tokenBudget tokens this task may still spend; 0 = unlimited
   * @param maxHistoryEvents continue-as-new once the history is longer (or when Temporal suggests
   *     it); 0 = {@value #DEFAULT_MAX_HISTORY_EVENTS}
   * @param resume where a task that continued as new left off, or null for a fresh start
   * @param team the run's ArkTeam (for the chat activity's metrics); null in older histories
   */
  record AgentTaskInput(
      String namespace,
      String runName,
      Map<String, AgentSpec> agents,
      String role,
      String stepName,
      String task,
      int depth,
      int maxDepth,
      long tokenBudget,
      int maxHistoryEvents,
      Resume resume,
      String team) {
    public static final int DEFAULT_MAX_HISTORY_EVENTS = 10_000;

    /** The same task continued from {@code resume}. */
    public AgentTaskInput resumed(Resume resume) {
      return new AgentTaskInput(
          namespace,
          runName,
          agents,
          role,
          stepName,
          task,
          depth,
          maxDepth,
          tokenBudget,
          maxHistoryEvents,
          resume,
          team);
    }
  }

  /**
   * The conversation and bookkeeping carried over a continue-as-new.
   *
   * @param messages the conversation so far
   * @param turn turns already taken
   * @param schemaFailures answers already rejected by the output schema
   * @param steps this task's status (first) and the tasks it delegated so far
   * @param continuations how many times the task continued as new
   */
  record Resume(
      List<ChatMessage> messages,
      int turn,
      int schemaFailures,
      List<StepStatus> steps,
      int continuations) {
    public Resume {
      messages = List.copyOf(messages);
      steps = List.copyOf(steps);
    }
  }

  /**
   * @param phase Succeeded, Failed or BudgetExceeded
   * @param output the final answer (when Succeeded)
   * @param message why it failed, or null
   * @param steps this task (first) and every task it delegated in turn
   */
  record AgentTaskResult(String phase, String output, String message, List<StepStatus> steps) {
    public AgentTaskResult {
      steps = steps == null ? List.of() : List.copyOf(steps);
    }
  }
}
