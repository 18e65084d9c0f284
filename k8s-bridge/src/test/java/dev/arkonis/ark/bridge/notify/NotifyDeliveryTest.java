package dev.arkonis.ark.bridge.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Delivery against a real HTTP receiver: retries of a failing receiver, the generic webhook's body
 * and headers, rate limiting of a storm, dedupe by key, template errors, refused messages and
 * missing Secrets; secrets never shown.
 */
@EnableKubernetesMockClient(crud = true)
class NotifyDeliveryTest {
  static final String NS = "ops";
  static final String URL_SECRET = "hooks/SECRETPATH0123";
  static final String HEADER_SECRET = "Bearer s3cr3t-header-value";
  static KubernetesClient client;

  private NotifyFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new NotifyFixture(client, NS, "ops-team-worker");
    fixture.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: ops-team}
        spec:
          notifyRef: {name: ops-alerts}
          roles: [{name: worker, model: gpt-4o}]
          pipeline:
          - role: worker
            inputs: {prompt: "Check {{ .input.service }}"}
        """);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkNotify.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
    client.resources(ArkAgent.class).inNamespace(NS).delete();
    client.secrets().inNamespace(NS).delete();
  }

  private void webhookNotify(String failedTemplate) {
    fixture.secret("ops-hook", Map.of("url", fixture.receiver.url("/" + URL_SECRET)));
    fixture.secret("ops-hook-headers", Map.of("Authorization", HEADER_SECRET, "X-Env", "test"));
    fixture.apply(
        ArkNotify.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: ops-alerts}
        spec:
          channel:
            type: webhook
            webhook:
              urlSecretRef: {name: ops-hook, key: url}
              headersSecretRef: {name: ops-hook-headers}
          events:
          - type: TeamSucceeded
            template: "{{ .team.name }} run {{ .run.name }} is {{ .run.status.phase }} for {{ .run.spec.input.service }}"
          - type: TeamFailed
            template: %s
          rateLimiting: {windowSeconds: 300, maxPerWindow: 2}
        """
            .formatted(failedTemplate));
  }

  private JsonNode status() {
    return fixture.notifyStatus("ops-alerts");
  }

  private static Notification failed(String key) {
    return new Notification(NS, "ArkTeam", "ops-team", "TeamFailed", key, key, Map.of());
  }

  @Test
  void aFailingReceiverIsRetriedAndTheWebhookGetsOneBodyWithItsHeaders() throws Exception {
    webhookNotify("\"{{ .team.name }} failed\"");
    fixture.receiver.answer(500, 500);
    fixture.apply(
        ArkRun.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata: {name: ops-1}
        spec: {teamRef: {name: ops-team}, input: {service: billing}}
        """);
    fixture.runs.reconcile(NS, "ops-1");
    fixture.watchHistory(RunPlan.workflowId(NS, "ops-1"));

    await().atMost(Duration.ofSeconds(60)).until(() -> fixture.receiver.delivered().size() == 1);
    assertThat(fixture.receiver.requests)
        .extracting(Receiver.Request::answered)
        .containsExactly(500, 500, 200);
    Receiver.Request request = fixture.receiver.requests.get(2);
    assertThat(request.header("Authorization")).isEqualTo(HEADER_SECRET);
    assertThat(request.header("X-Env")).isEqualTo("test");
    JsonNode body = new ObjectMapper().readTree(request.body());
    assertThat(body.path("event").asText()).isEqualTo("TeamSucceeded");
    assertThat(body.path("text").asText()).isEqualTo("ops-team run ops-1 is Succeeded for billing");
    assertThat(body.path("key").asText()).isEqualTo("run/ops/ops-1/TeamSucceeded");
    assertThat(body.path("subject").path("kind").asText()).isEqualTo("ArkTeam");
    assertThat(body.path("object").path("name").asText()).isEqualTo("ops-team");
    assertThat(body.path("object").path("spec").path("notifyRef").path("name").asText())
        .isEqualTo("ops-alerts");
    assertThat(body.path("run").path("status").path("phase").asText()).isEqualTo("Succeeded");

    await().atMost(Duration.ofSeconds(20)).until(() -> status().path("sentCount").asLong() == 1);
    assertThat(Conditions.find(status(), "Ready").path("status").asText()).isEqualTo("True");
    assertThat(fixture.logs()).contains("TeamSucceeded of ArkTeam ops-team delivered");
    assertThat(fixture.histories("ops-alerts"))
        .contains("deliverNotification")
        .contains("\"notifyRef\":\"ops-alerts\""); // payloads are decoded
    for (String secret : new String[] {"SECRETPATH0123", "s3cr3t-header-value"}) {
      assertThat(fixture.logs()).doesNotContain(secret);
      assertThat(fixture.histories("ops-alerts")).doesNotContain(secret);
      assertThat(fixture.objects()).doesNotContain(secret);
    }
  }

  @Test
  void aStormIsRateLimitedPerTeamAndTypeAndARepeatedKeyIsSentOnce() {
    webhookNotify("\"{{ .team.name }} run {{ .run.name }} failed\"");
    fixture.send(failed("storm-0"));
    fixture.send(failed("storm-0")); // a retried hand-over of the same event
    for (int i = 1; i < 10; i++) {
      fixture.send(failed("storm-" + i));
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status().path("suppressedCount").asLong() == 8);
    await().atMost(Duration.ofSeconds(30)).until(() -> status().path("sentCount").asLong() == 2);
    assertThat(fixture.receiver.delivered()).hasSize(2);
    assertThat(fixture.receiver.delivered())
        .anyMatch(body -> body.contains("ops-team run storm-0 failed"))
        .anyMatch(body -> body.contains("ops-team run storm-1 failed"))
        .noneMatch(body -> body.contains("storm-2") || body.contains("storm-9"));
  }

  @Test
  void aTemplateThatFailsSendsTheDefaultMessageAndReportsTheError() throws Exception {
    // parses (ark validate accepts it) but fails when rendered: the team has one role
    webhookNotify("\"{{ index .team.spec.roles 5 }}\"");
    fixture.send(failed("broken-1"));

    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.receiver.delivered().size() == 1);
    JsonNode body = new ObjectMapper().readTree(fixture.receiver.delivered().get(0));
    assertThat(body.path("text").asText()).startsWith("ArkTeam ops-team: run broken-1 failed:");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status().path("lastError").asText().contains("index out of range"));
    JsonNode delivered = Conditions.find(status(), NotifyDeliveryActivitiesImpl.DELIVERED);
    assertThat(delivered.path("status").asText()).isEqualTo("False");
    assertThat(delivered.path("reason").asText()).isEqualTo("TemplateError");
    assertThat(status().path("lastError").asText())
        .startsWith("spec.events[type=TeamFailed].template: ")
        .endsWith("; the default message was sent");
  }

  @Test
  void aRefusedMessageIsNotRetriedAndIsReported() {
    webhookNotify("\"failed\"");
    fixture.receiver.answer(404);
    fixture.send(failed("refused-1"));

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> status().path("lastError").asText().contains("HTTP 404"));
    assertThat(fixture.receiver.requests).hasSize(1);
    assertThat(status().path("lastError").asText())
        .isEqualTo(
            "TeamFailed (refused-1) not delivered: ArkNotify ops/ops-alerts TeamFailed: the"
                + " webhook URL answered HTTP 404; check the URL in the Secret");
    assertThat(Conditions.find(status(), "Delivered").path("reason").asText())
        .isEqualTo("DeliveryFailed");
    assertThat(status().path("sentCount").asLong()).isZero();
  }

  @Test
  void anAgentsOwnNotifyRefGetsItsHealthEventsWithTheDefaultMessage() throws Exception {
    fixture.secret("ops-hook", Map.of("url", fixture.receiver.url("/" + URL_SECRET)));
    fixture.apply(
        ArkNotify.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: agent-alerts}
        spec:
          channel:
            type: webhook
            webhook: {urlSecretRef: {name: ops-hook, key: url}}
          events: [{type: AgentDegraded}]
        """);
    fixture.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: checker}
        spec:
          model: gpt-4o
          notifyRef: {name: agent-alerts}
        """);

    fixture.send(
        new Notification(NS, "ArkAgent", "checker", "AgentDegraded", "health/1", null, Map.of()));
    fixture.send( // not listed in spec.events: not sent
        new Notification(NS, "ArkAgent", "checker", "AgentRecovered", "health/2", null, Map.of()));

    await().atMost(Duration.ofSeconds(30)).until(() -> fixture.receiver.delivered().size() == 1);
    JsonNode body = new ObjectMapper().readTree(fixture.receiver.delivered().get(0));
    assertThat(body.path("event").asText()).isEqualTo("AgentDegraded");
    assertThat(body.path("text").asText())
        .isEqualTo(
            "ArkAgent checker is degraded: its semantic probe fails on at least one replica.");
    assertThat(body.path("object").path("spec").path("model").asText()).isEqualTo("gpt-4o");
    assertThat(body.has("run")).isFalse();
    // the hand-over dropped AgentRecovered at once: it never reached the ArkNotify's workflow
    assertThat(fixture.histories("agent-alerts")).contains("health/1").doesNotContain("health/2");
    assertThat(fixture.receiver.requests).hasSize(1);
  }

  @Test
  void aMissingSecretMakesTheNotifyNotReadyUntilItExists() {
    fixture.apply(
        ArkNotify.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: ops-alerts}
        spec:
          channel:
            type: slack
            slack: {webhookUrlSecretRef: {name: ops-slack, key: webhookUrl}}
          events: [{type: TeamFailed}]
        """);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Conditions.find(status(), "Ready").path("status").asText().equals("False"));
    JsonNode ready = Conditions.find(status(), "Ready");
    assertThat(ready.path("reason").asText()).isEqualTo("SecretNotFound");
    assertThat(ready.path("message").asText())
        .isEqualTo(
            "spec.channel.slack.webhookUrlSecretRef: Secret \"ops-slack\" not found; create it"
                + " with key \"webhookUrl\"");

    fixture.secret("ops-slack", Map.of("other", "x"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                Conditions.find(status(), "Ready")
                    .path("message")
                    .asText()
                    .equals(
                        "spec.channel.slack.webhookUrlSecretRef: Secret \"ops-slack\" has no key"
                            + " \"webhookUrl\"; add it"));

    fixture.secret("ops-slack", Map.of("webhookUrl", fixture.receiver.url("/slack")));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Conditions.find(status(), "Ready").path("status").asText().equals("True"));
  }
}
