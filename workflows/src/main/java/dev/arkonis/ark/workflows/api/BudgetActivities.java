package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Where a daily token ledger ({@link BudgetLedgerWorkflow}) reports, on the orchestration queue:
 * the operator writes the ArkAgent's status ({@code dailyTokenUsage}, {@code budgetResetsAt},
 * condition {@code BudgetExceeded}) and records an Event on a transition; {@code ark run} and
 * {@code ark dev} without a cluster print a line.
 */
@ActivityInterface
public interface BudgetActivities {
  /** The window became full: calls are refused until {@code resetsAtMillis}. */
  String EXCEEDED = "Exceeded";

  /** The window freed up after it was full. */
  String RESET = "Reset";

  /** Idempotent: the same report twice changes nothing. */
  @ActivityMethod(name = "reportBudget")
  void report(BudgetReport report);

  /**
   * @param namespace the agent's namespace
   * @param agent the ArkAgent name
   * @param limit {@code maxDailyTokens}
   * @param inputTokens input tokens counted in the window
   * @param outputTokens output tokens counted in the window
   * @param exceeded the window is full (calls are refused)
   * @param resetsAtMillis when full: when calls are granted again; else when the oldest counted
   *     tokens leave the window (0: nothing counted)
   * @param transition {@link #EXCEEDED}, {@link #RESET}, or empty for a usage update
   * @param message the human-readable state, for the condition and the Event
   */
  record BudgetReport(
      String namespace,
      String agent,
      long limit,
      long inputTokens,
      long outputTokens,
      boolean exceeded,
      long resetsAtMillis,
      String transition,
      String message) {
    public long totalTokens() {
      return inputTokens + outputTokens;
    }
  }
}
