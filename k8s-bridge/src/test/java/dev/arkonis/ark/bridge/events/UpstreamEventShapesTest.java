package dev.arkonis.ark.bridge.events;

import static dev.arkonis.ark.bridge.events.EventsFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * Upstream ark's ArkEvent shapes: {@code teamOutput.onPhase: "*"} and the webhook token Secret
 * named {@code <event>-webhook-token}.
 */
@EnableKubernetesMockClient(crud = true)
class UpstreamEventShapesTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static KubernetesClient client;

  private TestWorkflowEnvironment env;
  private EventsFixture fixture;
  private String ns;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    ns = "up-" + test.getTestMethod().orElseThrow().getName().toLowerCase().substring(0, 12);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    fixture =
        new EventsFixture(
            client, ns, env.getWorkflowClient(), env.newWorker(TeamRunWorkflow.TASK_QUEUE), false);
    env.start();
    fixture.start();
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    env.close();
  }

  @Test
  void anyPhaseMatchesEveryTerminalPhaseAndNothingElse() {
    for (String phase : TeamOutputFires.TERMINAL_PHASES) {
      assertThat(TeamOutputFires.matches("*", phase)).as(phase).isTrue();
      assertThat(TeamOutputFires.matches("Succeeded", phase)).isEqualTo(phase.equals("Succeeded"));
    }
    assertThat(TeamOutputFires.matches("*", "Running")).isFalse();
    assertThat(TeamOutputFires.matches("*", "Pending")).isFalse();
    assertThat(TeamOutputFires.matches("*", "")).isFalse();
  }

  @Test
  void anyPhaseEventIsWatchingAndSaysWhichPhases() {
    fixture.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: after-any}
        spec:
          source:
            type: team-output
            teamOutput: {name: team-a, onPhase: "*"}
          targets:
            - team: team-b
        """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "after-any"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("Watching");
              assertThat(ready.path("message").asText())
                  .contains("ends (any of Succeeded, Failed, TimedOut, BudgetExceeded, Cancelled)");
            });
  }

  @Test
  void anUpstreamWebhookTokenSecretIsUsedAndNoOtherIsMade() {
    client
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("legacy-webhook-token")
                .endMetadata()
                .addToStringData("token", "users-own-token")
                .build())
        .create();

    fixture.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: legacy}
        spec:
          source: {type: webhook}
          targets:
            - team: support-team
        """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(fixture.status(ArkEvent.class, "legacy"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("WebhookReady");
              assertThat(ready.path("message").asText())
                  .contains("of Secret legacy-webhook-token>");
            });
    assertThat(client.secrets().inNamespace(ns).withName("legacy-token").get()).isNull();
    assertThat(
            client
                .secrets()
                .inNamespace(ns)
                .withName("legacy-webhook-token")
                .get()
                .getMetadata()
                .getLabels())
        .containsEntry("arkonis.dev/event", "legacy");
  }
}
