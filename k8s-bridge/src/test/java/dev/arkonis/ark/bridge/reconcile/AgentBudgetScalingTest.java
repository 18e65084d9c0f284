package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.status.BudgetActivitiesImpl;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.BudgetActivities.BudgetReport;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daily token ledger's reports ({@link BudgetActivitiesImpl}) and the operator: the agent's
 * budget status and condition, its Deployment at 0 replicas while over budget and back to the
 * spec's replicas after, Events, and the conditions of other components left alone.
 */
@EnableKubernetesMockClient(crud = true)
class AgentBudgetScalingTest {
  private static final long RESETS_AT = Instant.parse("2026-05-05T06:00:00Z").toEpochMilli();

  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorFixture k8s;
  private BudgetActivities budget;

  @BeforeEach
  void setUp() throws Exception {
    k8s = new OperatorFixture(server, client);
    budget =
        new BudgetActivitiesImpl(
            client,
            new EventRecorder(client, "ark-operator", Clock.systemUTC()),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    k8s.close();
  }

  private static BudgetReport report(String agent, boolean exceeded, String transition) {
    return new BudgetReport(
        NS,
        agent,
        500,
        300,
        exceeded ? 220 : 20,
        exceeded,
        RESETS_AT,
        transition,
        exceeded
            ? "520 of 500 tokens (limits.maxDailyTokens) used in the last 24h; model calls are"
                + " refused and the agent is scaled to 0 until 2026-05-05T06:00:00Z"
            : "320 of 500 tokens (limits.maxDailyTokens) used in the last 24h");
  }

  @Test
  void overBudgetScalesToZeroAndTheResetRestoresTheReplicas() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: solo}
        spec:
          model: llama3.2
          replicas: 3
          limits: {maxDailyTokens: 500}
        """);
    await().until(() -> k8s.replicas("solo") == 3);
    // another component's condition (the semantic probe's)
    ObjectNode degraded = JsonNodeFactory.instance.objectNode();
    degraded.set(
        "conditions",
        Conditions.set(
            k8s.status(ArkAgent.class, "solo").path("conditions"),
            Conditions.DEGRADED,
            Conditions.FALSE,
            "ProbePassing",
            "all replicas pass",
            1,
            Clock.systemUTC()));
    new StatusWriter(client).merge(ArkAgent.class, NS, "solo", degraded);

    budget.report(report("solo", true, BudgetActivities.EXCEEDED));
    await().until(() -> k8s.replicas("solo") == 0);
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkAgent.class, "solo");
              JsonNode exceeded = condition(status, Conditions.BUDGET_EXCEEDED);
              assertThat(exceeded.path("status").asText()).isEqualTo("True");
              assertThat(exceeded.path("reason").asText()).isEqualTo("DailyBudgetExceeded");
              assertThat(exceeded.path("message").asText()).contains("520 of 500 tokens");
              assertThat(status.path("dailyTokenUsage").path("totalTokens").asLong())
                  .isEqualTo(520);
              assertThat(status.path("dailyTokenUsage").path("inputTokens").asLong())
                  .isEqualTo(300);
              assertThat(status.path("budgetResetsAt").asText()).isEqualTo("2026-05-05T06:00:00Z");
              JsonNode ready = condition(status, Conditions.READY);
              assertThat(ready.path("reason").asText())
                  .isEqualTo(ArkAgentReconciler.OVER_DAILY_BUDGET);
              assertThat(ready.path("message").asText())
                  .isEqualTo(
                      "scaled to 0 replicas while BudgetExceeded is True"
                          + " (limits.maxDailyTokens); 3 replicas come back when the window frees"
                          + " up");
              assertThat(condition(status, Conditions.DEGRADED).path("reason").asText())
                  .isEqualTo("ProbePassing");
            });
    k8s.awaitWarning("DailyBudgetExceeded", "ArkAgent", "solo", "520 of 500 tokens");

    budget.report(report("solo", false, BudgetActivities.RESET));
    await().until(() -> k8s.replicas("solo") == 3);
    await()
        .untilAsserted(
            () -> {
              JsonNode status = k8s.status(ArkAgent.class, "solo");
              JsonNode exceeded = condition(status, Conditions.BUDGET_EXCEEDED);
              assertThat(exceeded.path("status").asText()).isEqualTo("False");
              assertThat(exceeded.path("reason").asText()).isEqualTo("WithinBudget");
              assertThat(status.path("dailyTokenUsage").path("totalTokens").asLong())
                  .isEqualTo(320);
              assertThat(condition(status, Conditions.READY).path("reason").asText())
                  .isNotEqualTo(ArkAgentReconciler.OVER_DAILY_BUDGET);
              assertThat(condition(status, Conditions.DEGRADED).path("reason").asText())
                  .isEqualTo("ProbePassing");
            });
    await()
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(
                        (Event e) -> {
                          assertThat(e.getType()).isEqualTo("Normal");
                          assertThat(e.getReason()).isEqualTo("WithinBudget");
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("solo");
                        }));
  }

  @Test
  void aManagedAgentOfAnInlineRoleIsScaledToo() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: duo}
        spec:
          entry: writer
          roles:
            - name: writer
              model: gpt-4o
              replicas: 2
              limits: {maxDailyTokens: 500}
        """);
    await().until(() -> k8s.replicas("duo-writer") == 2);
    budget.report(report("duo-writer", true, BudgetActivities.EXCEEDED));
    await().until(() -> k8s.replicas("duo-writer") == 0);
    budget.report(report("duo-writer", false, BudgetActivities.RESET));
    await().until(() -> k8s.replicas("duo-writer") == 2);
  }

  @Test
  void aReportForAnAgentThatIsGoneIsIgnored() {
    budget.report(report("gone", true, BudgetActivities.EXCEEDED));
    assertThat(k8s.exists(ArkAgent.class, "gone")).isFalse();
  }
}
