package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;

/**
 * The daily token ledger of one agent ({@code limits.maxDailyTokens}): workflow id {@link
 * #workflowId}, on the orchestration queue {@link TeamRunWorkflow#TASK_QUEUE} (an agent scaled to 0
 * has no workers; its ledger must still bring it back). Every {@code chat} activity of the agent
 * reserves before the model call and commits after it (both by update-with-start, so the first call
 * starts the ledger); the ledger keeps a rolling window, refuses reservations once the window is
 * full, reports crossing and freeing through {@link BudgetActivities} and {@link NotifyActivities},
 * continues as new carrying its state, and completes when its window is empty.
 *
 * <p>Admission rule: a call holds its estimated input tokens plus its {@code maxTokensPerCall} (or
 * {@link #DEFAULT_HOLD} when unset) until it commits; it is granted while the tokens counted in the
 * window, plus the holds of the calls in flight, plus its own input estimate stay below the limit.
 * Every granted call therefore found room for its prompt after every other call in flight at its
 * full cap, so the window exceeds the limit by at most one call's {@code maxTokensPerCall} however
 * many runs race for the last tokens (as long as calls spend no more input than estimated and no
 * more output than their cap). The window counts as full ({@code BudgetExceeded}) when the counted
 * tokens reach the limit, or when a call is refused with nothing in flight because its prompt no
 * longer fits; it frees up when enough counted calls leave the window.
 */
@WorkflowInterface
public interface BudgetLedgerWorkflow {
  /** The rolling window when no other length is configured. */
  Duration DEFAULT_WINDOW = Duration.ofHours(24);

  /** Tokens a call holds while in flight when its agent sets no {@code maxTokensPerCall}. */
  int DEFAULT_HOLD = 1024;

  /** Failure type of a chat call refused by the ledger (not retried). */
  String DAILY_BUDGET_EXCEEDED = "DailyBudgetExceeded";

  static String workflowId(String namespace, String agent) {
    return "arkbudget/" + namespace + "/" + agent;
  }

  @WorkflowMethod(name = "BudgetLedger")
  void run(LedgerState state);

  /** Grants or refuses one model call; idempotent per {@code callId}. */
  @UpdateMethod(name = "reserve")
  Grant reserve(Reservation reservation);

  /** Releases a call's hold and counts what it spent (0 for a failed call); idempotent. */
  @UpdateMethod(name = "commit")
  void commit(Spent spent);

  /** Usage in the window now. */
  @QueryMethod(name = "usage")
  Usage usage();

  /**
   * @param callId unique per model call attempt
   * @param inputTokens the call's estimated input tokens
   * @param maxTokensPerCall the call's output cap (0 = unset: {@link #DEFAULT_HOLD} is held)
   * @param limit the agent's {@code maxDailyTokens}
   * @param timeoutSeconds how long the hold lasts if the call never commits (a crashed worker)
   */
  record Reservation(
      String callId, long inputTokens, int maxTokensPerCall, long limit, int timeoutSeconds) {}

  /**
   * @param granted the call may go ahead
   * @param used tokens counted in the window
   * @param held tokens held by calls in flight
   * @param limit the limit applied
   * @param resetsAtMillis when enough of the window frees for a call to be granted again
   * @param message why the call was refused (names the agent, the limit, the usage and the reset
   *     time), or empty when granted
   */
  record Grant(
      boolean granted, long used, long held, long limit, long resetsAtMillis, String message) {}

  /** What one call spent. */
  record Spent(String callId, long inputTokens, long outputTokens) {}

  /**
   * The window's totals.
   *
   * @param exceeded the window is full and its crossing was handled
   * @param settled the crossing or freeing of the window, if any, has been reported
   */
  record Usage(
      long inputTokens,
      long outputTokens,
      long held,
      long limit,
      boolean exceeded,
      long resetsAtMillis,
      boolean settled) {
    public long totalTokens() {
      return inputTokens + outputTokens;
    }
  }

  /** A counted call in the window. */
  record Entry(String callId, long atMillis, long inputTokens, long outputTokens) {}

  /** A call in flight. */
  record Hold(String callId, long tokens, long expiresAtMillis) {}

  /**
   * The ledger's state: what the first call starts it with and what continue-as-new carries.
   *
   * @param namespace the agent's namespace
   * @param agent the ArkAgent name
   * @param windowMillis length of the rolling window
   * @param limit the last limit seen
   * @param blockedInput the prompt size of a call refused with nothing in flight while tokens were
   *     left (the window counts as full until it fits again), else 0
   * @param entries counted calls, oldest first
   * @param holds calls in flight
   * @param exceededSinceMillis when the window last became full while it still is, else 0
   * @param reportedTotal the total last written to the agent's status (-1: never)
   * @param reportedAtMillis when it was written
   */
  record LedgerState(
      String namespace,
      String agent,
      long windowMillis,
      long limit,
      long blockedInput,
      List<Entry> entries,
      List<Hold> holds,
      long exceededSinceMillis,
      long reportedTotal,
      long reportedAtMillis) {
    public LedgerState {
      entries = entries == null ? List.of() : List.copyOf(entries);
      holds = holds == null ? List.of() : List.copyOf(holds);
    }

    /** A fresh ledger. */
    public static LedgerState start(String namespace, String agent, Duration window) {
      return new LedgerState(
          namespace, agent, window.toMillis(), 0, 0, List.of(), List.of(), 0, -1, 0);
    }
  }
}
