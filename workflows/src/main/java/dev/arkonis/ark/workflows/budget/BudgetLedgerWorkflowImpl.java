package dev.arkonis.ark.workflows.budget;

import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.BudgetActivities.BudgetReport;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInit;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.slf4j.Logger;

/**
 * One agent's rolling token window. Updates change the {@link Ledger} at once (a refusal never
 * waits for an activity); the main loop wakes on a change or when something in the window expires
 * and reports: on crossing, first {@link NotifyActivities#notify} ({@code BudgetExceeded}) then
 * {@link BudgetActivities#report} ({@code Exceeded}); on freeing, a {@code Reset} report; below the
 * limit, usage at most every {@link #REPORT_EVERY}. It continues as new after {@link
 * #UPDATES_PER_RUN} updates or when the server suggests it, and completes once nothing is counted,
 * held or unreported.
 */
public class BudgetLedgerWorkflowImpl implements BudgetLedgerWorkflow {
  static final int UPDATES_PER_RUN = 500;
  static final Duration REPORT_EVERY = Duration.ofSeconds(30);

  private static final Logger log = Workflow.getLogger(BudgetLedgerWorkflowImpl.class);

  private final NotifyActivities notify =
      Workflow.newActivityStub(
          NotifyActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(3).build())
              .setSummary("daily budget event to ArkNotify")
              .build());
  private final BudgetActivities budget =
      Workflow.newActivityStub(
          BudgetActivities.class,
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setMaximumInterval(Duration.ofMinutes(1))
                      .setMaximumAttempts(10)
                      .build())
              .setSummary("daily budget to ArkAgent status")
              .build());

  private final Ledger ledger;
  private final String namespace;
  private final String agent;
  private long exceededSince;
  private boolean reportedExceeded;
  private long reportedTotal;
  private long reportedAt;
  private int updates;
  private boolean changed;

  /** Reads the state before any update handler runs (update-with-start delivers both at once). */
  @WorkflowInit
  public BudgetLedgerWorkflowImpl(LedgerState state) {
    namespace = state.namespace();
    agent = state.agent();
    ledger =
        new Ledger(
            state.namespace(),
            state.agent(),
            state.windowMillis() > 0 ? state.windowMillis() : DEFAULT_WINDOW.toMillis(),
            state.limit(),
            state.blockedInput(),
            state.entries(),
            state.holds());
    exceededSince = state.exceededSinceMillis();
    reportedExceeded = exceededSince != 0; // transitions are reported before continue-as-new
    reportedTotal = state.reportedTotal();
    reportedAt = state.reportedAtMillis();
  }

  @Override
  public void run(LedgerState state) {
    while (true) {
      long now = Workflow.currentTimeMillis();
      long wake = nextWake(now);
      if (wake > 0) {
        Timers.await(
            Duration.ofMillis(Math.max(1, wake - now)),
            "next daily budget window change",
            this::mustAct);
      } else {
        Workflow.await(this::mustAct);
      }
      changed = false;
      now = Workflow.currentTimeMillis();
      ledger.prune(now);
      if (exceededSince == 0 && ledger.full()) {
        exceededSince = now;
        crossed(now);
      } else if (exceededSince != 0 && !ledger.full()) {
        exceededSince = 0;
        ledger.unblock();
        report(now, BudgetActivities.RESET);
      } else if (ledger.used() != reportedTotal
          && now >= reportedAt + REPORT_EVERY.toMillis()
          && ledger.limit() > 0) {
        report(now, "");
      }
      if (changed) {
        continue; // updates arrived while reporting
      }
      if (ledger.entries().isEmpty()
          && ledger.holds().isEmpty()
          && exceededSince == 0
          && reportedTotal <= 0) {
        Workflow.await(Workflow::isEveryHandlerFinished);
        if (!changed) {
          return; // nothing left to count: the next call starts a fresh ledger
        }
      }
      if (updates >= UPDATES_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested()) {
        Workflow.await(Workflow::isEveryHandlerFinished);
        Workflow.continueAsNew(snapshot());
      }
    }
  }

  @Override
  public Grant reserve(Reservation reservation) {
    updates++;
    changed = true;
    Grant grant = ledger.reserve(reservation, Workflow.currentTimeMillis());
    if (!grant.granted()) {
      log.info("refused call {}: {}", reservation.callId(), grant.message());
    }
    return grant;
  }

  @Override
  public void commit(Spent spent) {
    updates++;
    changed = true;
    ledger.commit(spent, Workflow.currentTimeMillis());
  }

  @Override
  public Usage usage() {
    return ledger.usage(Workflow.currentTimeMillis(), exceededSince != 0, reportedExceeded);
  }

  private boolean mustAct() {
    return changed || updates >= UPDATES_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested();
  }

  /** The next instant the loop has work without an update: an expiry or a due usage report. */
  private long nextWake(long now) {
    long next = ledger.nextExpiry();
    if (ledger.used() != reportedTotal && ledger.limit() > 0) {
      long due = Math.max(now, reportedAt + REPORT_EVERY.toMillis());
      next = next == 0 ? due : Math.min(next, due);
    }
    return next;
  }

  private void crossed(long now) {
    long resetsAt = ledger.freesAt(now);
    try {
      notify.notify(
          new NotifyActivities.Notification(
              namespace,
              "ArkAgent",
              agent,
              NotifyActivities.BUDGET_EXCEEDED,
              "budget/" + namespace + "/" + agent + "/" + now,
              null,
              Map.of(
                  "agent",
                  Map.of(
                      "status",
                      Map.of(
                          "dailyTokensUsed",
                          ledger.used(),
                          "budgetResetsInMinutes",
                          Math.max(0, (resetsAt - now + 59_999) / 60_000))))));
    } catch (ActivityFailure e) {
      log.warn("BudgetExceeded notification for agent {}/{} failed: {}", namespace, agent, e);
    }
    report(now, BudgetActivities.EXCEEDED);
  }

  private void report(long now, String transition) {
    boolean exceeded = exceededSince != 0;
    long resetsAt = exceeded ? ledger.freesAt(now) : ledger.oldestExpiry();
    long used = ledger.used();
    String window = Ledger.windowText(ledger.window());
    String message =
        exceeded
            ? used
                + " of "
                + ledger.limit()
                + " tokens (limits.maxDailyTokens) used in the last "
                + window
                + "; model calls are refused and the agent is scaled to 0 until "
                + Instant.ofEpochMilli(resetsAt)
            : used
                + " of "
                + ledger.limit()
                + " tokens (limits.maxDailyTokens) used in the last "
                + window;
    try {
      budget.report(
          new BudgetReport(
              namespace,
              agent,
              ledger.limit(),
              ledger.inputTokens(),
              ledger.outputTokens(),
              exceeded,
              resetsAt,
              transition,
              message));
    } catch (ActivityFailure e) {
      log.warn("budget report for agent {}/{} failed: {}", namespace, agent, e);
    }
    reportedExceeded = exceeded;
    reportedTotal = used;
    reportedAt = now;
  }

  private LedgerState snapshot() {
    return new LedgerState(
        namespace,
        agent,
        ledger.window(),
        ledger.limit(),
        ledger.blockedInput(),
        ledger.entries(),
        ledger.holds(),
        exceededSince,
        reportedTotal,
        reportedAt);
  }
}
