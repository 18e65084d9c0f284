package dev.arkonis.ark.bridge.notify;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifyMessagesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Map<String, Object> RUN_DATA =
      Map.of(
          "team", Map.of("name", "t", "spec", Map.of("roles", List.of(Map.of("name", "a")))),
          "run",
              Map.of(
                  "name",
                  "r1",
                  "status",
                  Map.of(
                      "message",
                      "step a: boom",
                      "durationSeconds",
                      12.5,
                      "totalTokenUsage",
                      Map.of("totalTokens", 42))));

  private static JsonNode event(String yaml) throws Exception {
    return JSON.readTree(yaml);
  }

  @Test
  void everyEventTypeHasADefaultMessage() {
    assertThat(NotifyMessages.render(null, "TeamSucceeded", "ArkTeam", RUN_DATA).text())
        .isEqualTo("ArkTeam t: run r1 succeeded in 12.5s (42 tokens).");
    assertThat(NotifyMessages.render(null, "TeamFailed", "ArkTeam", RUN_DATA).text())
        .isEqualTo("ArkTeam t: run r1 failed: step a: boom");
    assertThat(NotifyMessages.render(null, "TeamTimedOut", "ArkTeam", RUN_DATA).text())
        .isEqualTo("ArkTeam t: run r1 timed out after 12.5s.");
    assertThat(NotifyMessages.render(null, "BudgetExceeded", "ArkTeam", RUN_DATA).text())
        .isEqualTo("ArkTeam t: run r1 stopped: step a: boom");
    Map<String, Object> agent =
        Map.of(
            "agent",
            Map.of(
                "name",
                "a1",
                "status",
                Map.of("dailyTokensUsed", 1200, "budgetResetsInMinutes", 5)));
    assertThat(NotifyMessages.render(null, "BudgetExceeded", "ArkAgent", agent).text())
        .isEqualTo(
            "ArkAgent a1: daily token budget exhausted (1200 tokens used; resets in ~5 minutes).");
    assertThat(NotifyMessages.render(null, "AgentDegraded", "ArkAgent", agent).text())
        .isEqualTo("ArkAgent a1 is degraded: its semantic probe fails on at least one replica.");
    assertThat(NotifyMessages.render(null, "AgentRecovered", "ArkAgent", agent).text())
        .startsWith("ArkAgent a1 recovered");
  }

  @Test
  void theTemplateWinsAndAFailingOneFallsBackToTheDefault() throws Exception {
    NotifyMessages.Text templated =
        NotifyMessages.render(
            event("{\"type\":\"TeamFailed\",\"template\":\"{{ .run.name }} is down\"}"),
            "TeamFailed",
            "ArkTeam",
            RUN_DATA);
    assertThat(templated).isEqualTo(new NotifyMessages.Text("r1 is down", null));

    NotifyMessages.Text failed =
        NotifyMessages.render(
            event("{\"type\":\"TeamFailed\",\"template\":\"{{ index .team.spec.roles 3 }}\"}"),
            "TeamFailed",
            "ArkTeam",
            RUN_DATA);
    assertThat(failed.text()).isEqualTo("ArkTeam t: run r1 failed: step a: boom");
    assertThat(failed.templateError())
        .startsWith("spec.events[type=TeamFailed].template: ")
        .endsWith("; the default message was sent");
  }

  @Test
  void theDashboardUrlIsTheRunsWorkflowInTheTemporalUiOrEmpty() {
    NotifyContext withUi =
        new NotifyContext(null, "http://ui.example:8080/", "prod", Clock.systemUTC());
    assertThat(withUi.dashboardUrl("ns", "r1"))
        .isEqualTo("http://ui.example:8080/namespaces/prod/workflows/arkrun%2Fns%2Fr1");
    assertThat(new NotifyContext(null, null, null, Clock.systemUTC()).dashboardUrl("ns", "r1"))
        .isEmpty();
  }
}
