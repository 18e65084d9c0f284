package dev.arkonis.ark.activities.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.BudgetActivities.BudgetReport;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.RunStatus;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code limits.maxDailyTokens} over 48 hours of skipped time: the real TeamRun, the real chat
 * activity reserving and committing in the real BudgetLedger workflow.
 */
@Timeout(120)
class DailyBudgetTest {
  private static final Instant START = Instant.parse("2026-05-04T06:00:00Z");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder().setInitialTime(START).setDoNotStart(true).build();

  private static final String REFUSAL =
      "step draft: agent budget-test/team-writer is over its daily token budget: ";

  private static long total(RunStatus status) {
    return status.totalTokenUsage().totalTokens();
  }

  @Test
  void accumulatesCrossesRefusesResetsAndResumesOver48Hours(TestWorkflowEnvironment env) {
    BudgetRig rig = new BudgetRig(env, 100, 500);
    List<Long> startedAt = new ArrayList<>();
    List<Long> spent = new ArrayList<>();
    RunStatus refused = null;
    while (refused == null) {
      startedAt.add(env.currentTimeMillis());
      RunStatus status = rig.runOnce();
      if (!"Succeeded".equals(status.phase())) {
        refused = status;
        break;
      }
      spent.add(total(status));
      env.sleep(Duration.ofHours(2));
    }
    long used = spent.stream().mapToLong(Long::longValue).sum();
    long perCall = spent.get(0);
    assertThat(used).isLessThan(500 + perCall);
    assertThat(rig.modelCalls.get()).isEqualTo(spent.size()); // the refused call never ran

    // refused at once, the step and the run fail with the ledger's message
    long first = startedAt.get(0);
    BudgetReport exceeded =
        rig.reports().stream().filter(BudgetReport::exceeded).findFirst().orElseThrow();
    assertThat(exceeded.transition()).isEqualTo(BudgetActivities.EXCEEDED);
    assertThat(exceeded.totalTokens()).isEqualTo(used);
    assertThat(exceeded.resetsAtMillis())
        .isBetween(
            first + Duration.ofHours(24).toMillis(), first + Duration.ofHours(25).toMillis());
    String message =
        "agent budget-test/team-writer is over its daily token budget: "
            + used
            + " of 500 tokens (limits.maxDailyTokens) used in the last 24h"
            + (used < 500
                ? ", too few left for this call's prompt (about " + (perCall - 60) + " tokens)"
                : "")
            + "; it resets at "
            + Instant.ofEpochMilli(exceeded.resetsAtMillis())
            + "; raise limits.maxDailyTokens or wait until then";
    assertThat(refused.phase()).isEqualTo("Failed");
    assertThat(refused.steps().get(0).message()).isEqualTo(message);
    assertThat(refused.message()).isEqualTo("step draft: " + message);

    // ArkNotify first, then the status report
    List<NotifyActivities.Notification> notes = rig.notifications();
    assertThat(notes).hasSize(1);
    NotifyActivities.Notification note = notes.get(0);
    assertThat(note.type()).isEqualTo(NotifyActivities.BUDGET_EXCEEDED);
    assertThat(note.subjectKind()).isEqualTo("ArkAgent");
    assertThat(note.subjectName()).isEqualTo("team-writer");
    assertThat(note.key()).startsWith("budget/budget-test/team-writer/");
    long crossedAt = Long.parseLong(note.key().substring(note.key().lastIndexOf('/') + 1));
    @SuppressWarnings("unchecked")
    Map<String, Object> facts =
        (Map<String, Object>) ((Map<String, Object>) note.facts().get("agent")).get("status");
    assertThat(((Number) facts.get("dailyTokensUsed")).longValue()).isEqualTo(used);
    assertThat(((Number) facts.get("budgetResetsInMinutes")).longValue())
        .isEqualTo((exceeded.resetsAtMillis() - crossedAt + 59_999) / 60_000);
    assertThat(rig.reported.indexOf(note)).isLessThan(rig.reported.indexOf(exceeded));

    // still refused an hour before the reset; no second notification
    assertThat(rig.usage().exceeded()).isTrue();
    env.sleep(Duration.ofMillis(exceeded.resetsAtMillis() - env.currentTimeMillis() - 3_600_000));
    assertThat(rig.usage().exceeded()).isTrue();
    assertThat(rig.runOnce().message()).startsWith(REFUSAL);
    assertThat(rig.notifications()).hasSize(1);

    // the window frees up by itself: a Reset report, calls are granted again
    env.sleep(Duration.ofHours(1).plusMinutes(1));
    BudgetReport reset = rig.reports().get(rig.reports().size() - 1);
    assertThat(reset.transition()).isEqualTo(BudgetActivities.RESET);
    assertThat(reset.exceeded()).isFalse();
    assertThat(reset.totalTokens()).isEqualTo(used - perCall);
    assertThat(rig.runOnce().phase()).isEqualTo("Succeeded");

    // up to 48 hours: runs every 2 hours; the window never holds more than limit + one call
    while (env.currentTimeMillis() < START.toEpochMilli() + Duration.ofHours(48).toMillis()) {
      env.sleep(Duration.ofHours(2));
      RunStatus status = rig.runOnce();
      BudgetLedgerWorkflow.Usage usage = rig.usage();
      assertThat(usage.totalTokens()).isLessThan(500 + perCall);
      if (!"Succeeded".equals(status.phase())) {
        assertThat(status.message()).startsWith(REFUSAL);
      }
    }
    assertThat(rig.notifications()).hasSizeGreaterThanOrEqualTo(2); // crossed again on day 2
    assertThat(rig.notifications().stream().map(NotifyActivities.Notification::key).distinct())
        .hasSameSizeAs(rig.notifications());
  }

  @Test
  void callsInFlightWhenTheLimitIsCrossedAreCounted(TestWorkflowEnvironment env)
      throws InterruptedException {
    BudgetRig rig = new BudgetRig(env, 100, 500);
    rig.outputTokens.set(300);
    long before = total(rig.runOnce());

    rig.outputTokens.set(60);
    rig.holding = true;
    WorkflowStub inFlight = rig.start();
    rig.awaitInFlight(1);

    rig.holding = false;
    rig.outputTokens.set(250);
    RunStatus crossing = rig.runOnce();
    assertThat(crossing.phase()).isEqualTo("Succeeded");
    assertThat(rig.usage().exceeded()).isTrue();
    RunStatus refused = rig.runOnce();
    assertThat(refused.message()).startsWith(REFUSAL);

    rig.release.release();
    RunStatus late = BudgetRig.result(inFlight);
    assertThat(late.phase()).isEqualTo("Succeeded");
    assertThat(rig.usage().totalTokens()).isEqualTo(before + total(crossing) + total(late));
    env.sleep(Duration.ofMinutes(1));
    BudgetReport last = rig.reports().get(rig.reports().size() - 1);
    assertThat(last.totalTokens()).isEqualTo(before + total(crossing) + total(late));
    assertThat(last.exceeded()).isTrue();
  }

  @Test
  void runsRacingForTheLastTokensOverspendByAtMostOneCallsCap(TestWorkflowEnvironment env)
      throws InterruptedException {
    int cap = 100;
    BudgetRig rig = new BudgetRig(env, cap, 500);
    rig.outputTokens.set(300);
    long before = total(rig.runOnce());

    rig.outputTokens.set(cap);
    rig.holding = true;
    List<WorkflowStub> racing = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      racing.add(rig.start());
    }
    List<RunStatus> refused = new ArrayList<>();
    // the refused runs end while the granted ones are still inside the model
    int granted = 0;
    while (refused.size() + granted < racing.size()) {
      if (rig.entered.tryAcquire()) {
        granted++;
        continue;
      }
      for (WorkflowStub run : racing) {
        var status = run.query("status", RunStatus.class);
        if (status.finished() && refused.stream().noneMatch(r -> r == status)) {
          refused.add(status);
        }
      }
      if (refused.size() + granted < racing.size()) {
        Thread.sleep(50);
        refused.clear();
      }
    }
    assertThat(granted).isBetween(1, 4);
    assertThat(refused).allSatisfy(r -> assertThat(r.message()).startsWith(REFUSAL));

    rig.holding = false;
    rig.release.release(granted);
    long spent = before;
    for (WorkflowStub run : racing) {
      RunStatus status = BudgetRig.result(run);
      if ("Succeeded".equals(status.phase())) {
        spent += total(status);
      }
    }
    assertThat(rig.usage().totalTokens()).isEqualTo(spent);
    assertThat(spent).isGreaterThanOrEqualTo(500).isLessThanOrEqualTo(500 + cap);
    assertThat(rig.modelCalls.get()).isEqualTo(1 + granted);
  }
}
