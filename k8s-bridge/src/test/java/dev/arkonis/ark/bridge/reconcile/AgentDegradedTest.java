package dev.arkonis.ark.bridge.reconcile;

import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.NS;
import static dev.arkonis.ark.bridge.reconcile.OperatorFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.status.AgentHealthActivitiesImpl;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Degraded condition written for the AgentHealth workflow, next to the operator's own status
 * writes: the team turns Degraded, nobody's condition is lost, an Event marks each transition.
 */
@EnableKubernetesMockClient(crud = true)
class AgentDegradedTest {
  KubernetesMockServer server;
  KubernetesClient client;
  private OperatorFixture k8s;
  private AgentHealthActivitiesImpl health;

  @BeforeEach
  void setUp() throws Exception {
    k8s = new OperatorFixture(server, client);
    health =
        new AgentHealthActivitiesImpl(
            new StatusWriter(client),
            new EventRecorder(client, "ark-operator", Clock.systemUTC()),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    k8s.close();
  }

  @Test
  void aFailingProbeDegradesTheAgentAndItsTeamUntilItPassesAgain() {
    k8s.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: desk}
        spec:
          entry: writer
          roles:
            - name: writer
              model: gpt-4o
              replicas: 2
              livenessProbe:
                type: semantic
                validatorPrompt: "Reply with exactly one word: HEALTHY"
        """);
    await().until(() -> k8s.exists(ArkAgent.class, "desk-writer"));
    assertThat(
            k8s.get(ArkAgent.class, "desk-writer")
                .getSpec()
                .getLivenessProbe()
                .getValidatorPrompt())
        .contains("HEALTHY");
    await()
        .until(
            () -> k8s.exists(io.fabric8.kubernetes.api.model.apps.Deployment.class, "desk-writer"));
    k8s.setReady("desk-writer", 2);
    await().until(() -> "Ready".equals(k8s.status(ArkTeam.class, "desk").path("phase").asText()));

    health.writeHealth(
        new HealthChange("ark-teams", "desk-writer", true, 1, 2, "The output is NOT VALID", true));

    await()
        .untilAsserted(
            () -> {
              JsonNode team = k8s.status(ArkTeam.class, "desk");
              assertThat(team.path("phase").asText()).isEqualTo("Degraded");
              assertThat(condition(team, "Ready").path("message").asText())
                  .contains("desk-writer", "1 of 2 replicas failing", "NOT VALID");
            });
    JsonNode agent = k8s.status(ArkAgent.class, "desk-writer");
    JsonNode degraded = condition(agent, Conditions.DEGRADED);
    assertThat(degraded.path("status").asText()).isEqualTo("True");
    assertThat(degraded.path("reason").asText()).isEqualTo("SemanticProbeFailing");
    assertThat(degraded.path("message").asText())
        .isEqualTo(
            "1 of 2 replicas failing the semantic probe; last answer: \"The output is NOT VALID\"");
    assertThat(condition(agent, Conditions.READY).path("status").asText()).isEqualTo("True");
    k8s.awaitWarning("SemanticProbeFailing", "ArkAgent", "desk-writer", "1 of 2 replicas");

    // the agent reconciler writes again (a Deployment change): Degraded stays
    k8s.setReady("desk-writer", 1);
    await()
        .untilAsserted(
            () ->
                assertThat(k8s.status(ArkAgent.class, "desk-writer").path("readyReplicas").asInt())
                    .isEqualTo(1));
    assertThat(
            condition(k8s.status(ArkAgent.class, "desk-writer"), Conditions.DEGRADED)
                .path("status")
                .asText())
        .isEqualTo("True");

    health.writeHealth(new HealthChange("ark-teams", "desk-writer", false, 0, 2, null, true));
    await().until(() -> "Ready".equals(k8s.status(ArkTeam.class, "desk").path("phase").asText()));
    JsonNode passing = condition(k8s.status(ArkAgent.class, "desk-writer"), Conditions.DEGRADED);
    assertThat(passing.path("status").asText()).isEqualTo("False");
    assertThat(passing.path("reason").asText()).isEqualTo("ProbesPassing");
    assertThat(passing.path("message").asText())
        .isEqualTo("all 2 replicas pass the semantic probe");
    await()
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(
                        (Event e) -> {
                          assertThat(e.getType()).isEqualTo("Normal");
                          assertThat(e.getReason()).isEqualTo("ProbesPassing");
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("desk-writer");
                        }));
  }

  @Test
  void aGoneAgentIsNoError() {
    health.writeHealth(new HealthChange("ark-teams", "nobody", true, 1, 1, "NO", true));
    assertThat(k8s.exists(ArkAgent.class, "nobody")).isFalse();
  }

  @Test
  void aReadyWriteKeepsTheConditionsStoredSinceItsRead() {
    k8s.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: solo}
        spec: {model: gpt-4o, replicas: 0}
        """);
    await()
        .until(
            () -> !condition(k8s.status(ArkAgent.class, "solo"), Conditions.READY).isMissingNode());
    StatusWriter writer = new StatusWriter(client);
    JsonNode readBefore = writer.currentStatus(ArkAgent.class, NS, "solo");
    // the health workflow writes Degraded between that read and the Ready write
    health.writeHealth(new HealthChange(NS, "solo", true, 1, 1, "UNHEALTHY", true));
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    ReadyStatus.write(
        writer,
        ArkAgent.class,
        k8s.get(ArkAgent.class, "solo"),
        readBefore,
        patch,
        Conditions.FALSE,
        "SomethingElse",
        "a later Ready write",
        Clock.systemUTC());
    JsonNode after = k8s.status(ArkAgent.class, "solo");
    assertThat(condition(after, Conditions.READY).path("reason").asText())
        .isEqualTo("SomethingElse");
    assertThat(condition(after, Conditions.DEGRADED).path("status").asText()).isEqualTo("True");
  }
}
