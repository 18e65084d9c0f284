package dev.arkonis.ark.cli;

import dev.arkonis.ark.activities.budget.DailyBudgets;
import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.time.Instant;

/**
 * {@code ark run}'s side of the daily token ledgers (no cluster to write status to): one line on
 * stderr when an agent's window becomes full and one when it frees up; usage updates are silent.
 * The ledger's notification hand-over is taken and dropped here: {@code ark run} delivers no
 * ArkNotify messages (it says so when a team has a {@code notifyRef}); the stderr line is the
 * alert.
 */
final class LocalBudgetReports implements BudgetActivities, NotifyActivities {
  private final PrintWriter err;

  /**
   * The daily ledgers for this process's chat activities, the window from the test setting {@code
   * ARK_BUDGET_WINDOW} / {@code ark.budget.window}; a bad value is a one-line {@link UserError}.
   */
  static DailyBudgets dailyBudgets(WorkflowClient client) {
    try {
      return DailyBudgets.fromEnvironment(client);
    } catch (IllegalArgumentException e) {
      throw new UserError(e.getMessage());
    }
  }

  LocalBudgetReports(PrintWriter err) {
    this.err = err;
  }

  @Override
  public void report(BudgetReport report) {
    String agent = report.namespace() + "/" + report.agent();
    if (EXCEEDED.equals(report.transition())) {
      line(
          "ark: agent "
              + agent
              + " reached its daily token budget ("
              + report.totalTokens()
              + " of "
              + report.limit()
              + " tokens, limits.maxDailyTokens); its model calls are refused until "
              + Instant.ofEpochMilli(report.resetsAtMillis()));
    } else if (RESET.equals(report.transition())) {
      line(
          "ark: agent "
              + agent
              + " is within its daily token budget again ("
              + report.totalTokens()
              + " of "
              + report.limit()
              + " tokens)");
    }
  }

  @Override
  public void notify(Notification notification) {
    // ark run delivers no notifications: the operator and ark dev do
  }

  private void line(String text) {
    synchronized (err) {
      err.println(text);
      err.flush();
    }
  }
}
