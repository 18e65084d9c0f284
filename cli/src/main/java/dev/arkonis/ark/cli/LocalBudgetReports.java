package dev.arkonis.ark.cli;

import dev.arkonis.ark.workflows.api.BudgetActivities;
import java.io.PrintWriter;
import java.time.Instant;

/**
 * {@code ark run}'s side of the daily token ledgers (no cluster to write status to): one line on
 * stderr when an agent's window becomes full and one when it frees up; usage updates are silent.
 */
final class LocalBudgetReports implements BudgetActivities {
  private final PrintWriter err;

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

  private void line(String text) {
    synchronized (err) {
      err.println(text);
      err.flush();
    }
  }
}
