package dev.arkonis.ark.workflows.budget;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Grant;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Reservation;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Spent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The rolling-window arithmetic. */
class LedgerTest {
  private static final long HOUR = Duration.ofHours(1).toMillis();
  private static final long DAY = Duration.ofHours(24).toMillis();

  private final Ledger ledger = new Ledger("ns", "writer", DAY, 0, 0, List.of(), List.of());

  private Grant reserve(String id, long input, long now) {
    return ledger.reserve(new Reservation(id, input, 100, 500, 60), now);
  }

  @Test
  void countsCommittedCallsUntilTheyLeaveTheWindow() {
    reserve("a", 10, 0);
    ledger.commit(new Spent("a", 10, 90), 0);
    reserve("b", 10, 2 * HOUR);
    ledger.commit(new Spent("b", 20, 80), 2 * HOUR);
    assertThat(ledger.used()).isEqualTo(200);
    assertThat(ledger.inputTokens()).isEqualTo(30);
    ledger.prune(DAY);
    assertThat(ledger.used()).isEqualTo(100);
    ledger.prune(DAY + 2 * HOUR);
    assertThat(ledger.used()).isZero();
  }

  @Test
  void reserveAndCommitAreIdempotentPerCall() {
    assertThat(reserve("a", 10, 0).granted()).isTrue();
    assertThat(reserve("a", 10, 0).held()).isEqualTo(110);
    ledger.commit(new Spent("a", 10, 90), 0);
    ledger.commit(new Spent("a", 10, 90), 0);
    assertThat(ledger.used()).isEqualTo(100);
    assertThat(reserve("a", 10, 0).granted()).isTrue(); // a retried request of a counted call
    assertThat(ledger.held()).isZero();
  }

  @Test
  void aCrashedCallsHoldExpiresAfterItsTimeout() {
    for (String id : List.of("a", "b", "c", "d", "e")) {
      assertThat(reserve(id, 10, 0).granted()).isTrue();
    }
    Grant refused = reserve("f", 10, 0);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.message())
        .isEqualTo(
            "agent ns/writer is over its daily token budget: 0 of 500 tokens"
                + " (limits.maxDailyTokens) used in the last 24h and 550 more held by calls in"
                + " flight, too few left for this call's prompt (about 10 tokens); it resets at"
                + " 1970-01-02T00:00:00Z; raise limits.maxDailyTokens or wait until then");
    assertThat(ledger.full()).isFalse(); // calls in flight may still free room
    assertThat(reserve("f", 10, 61_000).granted()).isTrue(); // their holds expired
  }

  @Test
  void fullWhenTheLimitIsReachedAndFreeWhenTheOldestCallsExpire() {
    reserve("a", 0, 0);
    ledger.commit(new Spent("a", 100, 200), 0);
    reserve("b", 0, HOUR);
    ledger.commit(new Spent("b", 100, 200), HOUR);
    assertThat(ledger.full()).isTrue();
    Grant refused = reserve("c", 10, 2 * HOUR);
    assertThat(refused.granted()).isFalse();
    assertThat(refused.resetsAtMillis()).isEqualTo(DAY);
    assertThat(refused.message())
        .isEqualTo(
            "agent ns/writer is over its daily token budget: 600 of 500 tokens"
                + " (limits.maxDailyTokens) used in the last 24h; it resets at"
                + " 1970-01-02T00:00:00Z; raise limits.maxDailyTokens or wait until then");
    assertThat(ledger.freesAt(2 * HOUR)).isEqualTo(DAY);
    ledger.prune(DAY);
    assertThat(ledger.full()).isFalse();
    assertThat(reserve("c", 10, DAY).granted()).isTrue();
  }

  @Test
  void aPromptThatNoLongerFitsWithNothingInFlightFillsTheWindow() {
    reserve("a", 0, 0);
    ledger.commit(new Spent("a", 200, 250), 0);
    assertThat(ledger.full()).isFalse();
    assertThat(reserve("b", 60, HOUR).granted()).isFalse();
    assertThat(ledger.full()).isTrue();
    assertThat(ledger.freesAt(HOUR)).isEqualTo(DAY);
    ledger.unblock();
    assertThat(ledger.full()).isFalse();
  }

  @Test
  void racingCallsOverspendByAtMostOneCap() {
    reserve("base", 0, 0);
    ledger.commit(new Spent("base", 100, 290), 0);
    int granted = 0;
    for (int i = 0; i < 10; i++) {
      if (reserve("r" + i, 10, 0).granted()) {
        granted++;
      }
    }
    for (int i = 0; i < granted; i++) {
      ledger.commit(new Spent("r" + i, 10, 100), 0); // every call spends its whole cap
    }
    assertThat(granted).isEqualTo(1);
    assertThat(ledger.used()).isLessThanOrEqualTo(500 + 100);
  }

  @Test
  void windowText() {
    assertThat(Ledger.windowText(DAY)).isEqualTo("24h");
    assertThat(Ledger.windowText(Duration.ofMinutes(2).toMillis())).isEqualTo("2m");
    assertThat(Ledger.windowText(Duration.ofSeconds(90).toMillis())).isEqualTo("90s");
  }
}
