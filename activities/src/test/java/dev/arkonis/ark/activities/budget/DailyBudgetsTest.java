package dev.arkonis.ark.activities.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.AgentSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DailyBudgetsTest {
  @Test
  void windowLengthsOfTheTestSetting() {
    assertThat(DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "90s"))
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "2m"))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "1h")).isEqualTo(Duration.ofHours(1));
    assertThat(DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "PT2M"))
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "120"))
        .isEqualTo(Duration.ofMinutes(2));
    assertThatThrownBy(() -> DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "soon"))
        .hasMessage("ARK_BUDGET_WINDOW=soon: not a duration; use e.g. 90s, 2m, 1h or PT2M");
    assertThatThrownBy(() -> DailyBudgets.parseWindow("ARK_BUDGET_WINDOW", "0s"))
        .hasMessage("ARK_BUDGET_WINDOW=0s: the budget window must be positive, e.g. 2m");
  }

  @Test
  void theNamespaceComesFromTheTaskQueue() {
    AgentSpec agent =
        new AgentSpec(
            "w",
            "team-w",
            "ark/prod/team-w",
            "m",
            "mock",
            "",
            0,
            0,
            null,
            false,
            List.of(),
            List.of(),
            List.of(),
            100);
    assertThat(DailyBudgets.namespaceOf(agent)).isEqualTo("prod");
  }

  @Test
  void anAgentWithoutADailyBudgetNeverReachesTheLedger() {
    DailyBudgets budgets = new DailyBudgets(null, Duration.ofHours(24)); // no client: not used
    AgentSpec agent =
        new AgentSpec(
            "w",
            "team-w",
            "ark/prod/team-w",
            "m",
            "mock",
            "",
            0,
            0,
            null,
            false,
            List.of(),
            List.of(),
            List.of());
    budgets.reserve(agent, "call", 10);
    budgets.commit(agent, "call", null);
  }
}
