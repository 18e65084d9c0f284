package dev.arkonis.ark.bridge.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.UpstreamRecipes;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.InputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: the upstream {@code analytics-team.yaml} (ArkNotify with Slack templates,
 * ArkTeam with notifyRef) delivers rendered Slack bodies to a real local receiver for a succeeded
 * run and for an agent over its daily budget; the webhook URL's secret appears in no log, history
 * or status.
 */
@EnabledIf(
    value = "dev.arkonis.ark.bridge.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
@EnableKubernetesMockClient(crud = true)
class NotifyCompatTest {
  static final String NS = "ark-teams";
  static final String SECRET_PART = "T0SECRET/B0SECRET/xoxSecretToken123";
  static KubernetesClient client;

  private NotifyFixture fixture;

  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @BeforeEach
  void setUp() throws Exception {
    fixture = new NotifyFixture(client, NS, "analytics-team-analyst", "analytics-team-reporter");
  }

  @AfterEach
  void tearDown() {
    fixture.close();
  }

  @Test
  void analyticsTeamSendsRenderedSlackMessagesForSuccessAndBudget() throws Exception {
    String webhookUrl = fixture.receiver.url("/services/" + SECRET_PART);
    fixture.secret("analytics-slack-secret", Map.of("webhookUrl", webhookUrl));
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("analytics-analyst-prompt")
                .endMetadata()
                .addToData("system.txt", "You are a data analyst.")
                .build())
        .createOrReplace();
    try (InputStream in = UpstreamRecipes.open("analytics-team.yaml")) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Conditions.TRUE.equals(
                    Conditions.find(fixture.notifyStatus("analytics-slack-alerts"), "Ready")
                        .path("status")
                        .asText()));
    await() // the team reconciler created the managed agents
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client
                        .resources(ArkAgent.class)
                        .inNamespace(NS)
                        .withName("analytics-team-analyst")
                        .get()
                    != null);

    fixture.apply(
        ArkRun.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata: {name: analytics-1}
        spec:
          teamRef: {name: analytics-team}
          input:
            dataset: user_events_2026_q1
            question: What drove the 15% drop in activation rate in week 10?
        """);
    fixture.runs.reconcile(NS, "analytics-1");
    fixture.watchHistory(RunPlan.workflowId(NS, "analytics-1"));

    await().atMost(Duration.ofSeconds(60)).until(() -> fixture.receiver.delivered().size() == 1);
    JsonNode success = new ObjectMapper().readTree(fixture.receiver.delivered().get(0));
    assertThat(success.fieldNames()).toIterable().containsExactly("text");
    String text = success.path("text").asText();
    assertThat(text)
        .startsWith(":white_check_mark: *Analytics run completed*\n")
        .contains("Team: `analytics-team`\n")
        .contains("Question: What drove the 15% drop in activation rate in week 10?\n")
        .containsPattern("Duration: \\d+(\\.\\d)?s\n")
        .containsPattern("Tokens used: [1-9]\\d*\n")
        .contains(
            "<http://temporal-ui.example:8233/namespaces/default/workflows/"
                + "arkrun%2Fark-teams%2Fanalytics-1|View results>");
    assertThat(fixture.receiver.requests.get(0).path()).isEqualTo("/services/" + SECRET_PART);

    // the budget ledger hands the agent's BudgetExceeded over with its facts
    fixture.send(
        new Notification(
            NS,
            "ArkAgent",
            "analytics-team-analyst",
            "BudgetExceeded",
            "budget/ark-teams/analytics-team-analyst/2026-11-30T00:00:00Z",
            null,
            Map.of(
                "agent",
                Map.of(
                    "status", Map.of("dailyTokensUsed", 1000250, "budgetResetsInMinutes", 42)))));

    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.receiver.delivered().size() == 2);
    String budget =
        new ObjectMapper().readTree(fixture.receiver.delivered().get(1)).path("text").asText();
    assertThat(budget)
        .isEqualTo(
            """
            :moneybag: *Daily token budget exhausted*
            Agent: `analytics-team-analyst`
            Budget: 1000000 tokens
            Used today: 1000250 tokens
            Resets: in ~42 minutes
            The operator will scale this agent to 0 replicas until the window resets.
            """);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> fixture.notifyStatus("analytics-slack-alerts").path("sentCount").asLong() == 2);
    JsonNode status = fixture.notifyStatus("analytics-slack-alerts");
    assertThat(status.path("suppressedCount").asLong()).isZero();
    assertThat(status.path("lastSentAt").asText()).isNotEmpty();
    assertThat(status.has("lastError")).isFalse();
    assertThat(Conditions.find(status, "Delivered").path("status").asText()).isEqualTo("True");

    // nothing secret anywhere a user or operator can read (the captures do hold the deliveries)
    assertThat(fixture.logs()).contains("TeamSucceeded of ArkTeam analytics-team delivered");
    assertThat(fixture.histories("analytics-slack-alerts")).contains("deliverNotification");
    assertThat(fixture.logs()).doesNotContain("SECRET").doesNotContain("xoxSecretToken123");
    assertThat(fixture.histories("analytics-slack-alerts"))
        .doesNotContain("SECRET")
        .doesNotContain("xoxSecretToken123");
    assertThat(fixture.objects()).doesNotContain("SECRET").doesNotContain("xoxSecretToken123");
  }
}
