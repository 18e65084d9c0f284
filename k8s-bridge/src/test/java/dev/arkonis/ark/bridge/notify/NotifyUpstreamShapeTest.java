package dev.arkonis.ark.bridge.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Upstream's ArkNotify shape ({@code on[]}, {@code channels[]}, {@code rateLimitSeconds}, {@code
 * slack.webhookURLFrom}, {@code webhook.urlFrom/headers/template}) delivered to a real HTTP
 * receiver: every event to each channel, each retried on its own.
 */
@EnableKubernetesMockClient(crud = true)
class NotifyUpstreamShapeTest {
  static final String NS = "upstream-ops";
  static KubernetesClient client;

  private NotifyFixture fixture;

  @BeforeEach
  void setUp() throws Exception {
    fixture = new NotifyFixture(client, NS);
    fixture.apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: ops-team}
        spec:
          notifyRef: {name: up-alerts}
          roles: [{name: worker, model: gpt-4o}]
          pipeline: [{role: worker}]
        """);
    fixture.apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: analyst}
        spec: {model: gpt-4o, notifyRef: {name: up-alerts}}
        """);
  }

  @AfterEach
  void tearDown() {
    fixture.close();
    client.resources(ArkNotify.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
    client.resources(ArkAgent.class).inNamespace(NS).delete();
    client.secrets().inNamespace(NS).delete();
  }

  private void upstreamNotify() {
    fixture.secret("slack-url", Map.of("url", fixture.receiver.url("/slack")));
    fixture.secret("hook-url", Map.of("endpoint", fixture.receiver.url("/hook")));
    fixture.apply(
        ArkNotify.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: up-alerts}
        spec:
          "on": [TeamFailed, DailyLimitReached, AgentDegraded]
          channels:
          - type: slack
            slack:
              webhookURLFrom: {secretKeyRef: {name: slack-url, key: url}}
          - type: webhook
            webhook:
              urlFrom: {secretKeyRef: {name: hook-url, key: endpoint}}
              headers: {X-Source: ark}
              template: '{"summary": "{{ .event }} of {{ .team.name }}"}'
          rateLimitSeconds: 300
        """);
  }

  private JsonNode status() {
    return fixture.notifyStatus("up-alerts");
  }

  @Test
  void everyChannelGetsTheEventAndOnlyTheFailingOneIsRetried() throws Exception {
    upstreamNotify();
    fixture.receiver.answer(200, 500); // slack takes it, the webhook fails once

    fixture.send(
        new Notification(NS, "ArkTeam", "ops-team", "TeamFailed", "run/k1", "k1", Map.of()));

    await().atMost(Duration.ofSeconds(60)).until(() -> status().path("sentCount").asLong() == 1);
    assertThat(fixture.receiver.requests)
        .extracting(r -> r.path() + " " + r.answered())
        .containsExactly("/slack 200", "/hook 500", "/hook 200");
    Receiver.Request slack = fixture.receiver.requests.get(0);
    assertThat(new ObjectMapper().readTree(slack.body()).path("text").asText())
        .startsWith("ArkTeam ops-team: run k1 failed");
    Receiver.Request hook = fixture.receiver.requests.get(2);
    assertThat(hook.body()).isEqualTo("{\"summary\": \"TeamFailed of ops-team\"}");
    assertThat(hook.header("Content-Type")).isEqualTo("application/json");
    assertThat(hook.header("X-Source")).isEqualTo("ark");
    assertThat(Conditions.find(status(), "Ready").path("status").asText()).isEqualTo("True");
  }

  @Test
  void dailyLimitReachedIsAnAgentsBudgetAndUnlistedEventsAreNotSent() {
    upstreamNotify();

    fixture.send(
        new Notification(NS, "ArkTeam", "ops-team", "BudgetExceeded", "run/b1", "b1", Map.of()));
    fixture.send(
        new Notification(NS, "ArkTeam", "ops-team", "TeamSucceeded", "run/s1", "s1", Map.of()));
    fixture.send(
        new Notification(NS, "ArkAgent", "analyst", "BudgetExceeded", "budget/a1", null, Map.of()));

    await().atMost(Duration.ofSeconds(60)).until(() -> fixture.receiver.requests.size() == 2);
    assertThat(fixture.receiver.requests)
        .extracting(Receiver.Request::path)
        .containsExactly("/slack", "/hook");
    assertThat(fixture.receiver.requests.get(0).body())
        .contains("ArkAgent analyst: daily token budget exhausted");
    assertThat(fixture.receiver.requests.get(1).body()).contains("BudgetExceeded");
  }

  @Test
  void rateLimitSecondsLetsOneMessagePerWindowThrough() {
    upstreamNotify();

    for (int i = 0; i < 3; i++) {
      fixture.send(
          new Notification(
              NS, "ArkTeam", "ops-team", "TeamFailed", "run/r" + i, "r" + i, Map.of()));
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> status().path("suppressedCount").asLong() == 2);
    assertThat(status().path("sentCount").asLong()).isEqualTo(1);
    assertThat(fixture.receiver.requests).hasSize(2); // one message, both channels
  }

  @Test
  void aMissingChannelSecretNamesTheUpstreamField() {
    fixture.secret("slack-url", Map.of("url", fixture.receiver.url("/slack")));
    fixture.apply(
        ArkNotify.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata: {name: up-alerts}
        spec:
          "on": [TeamFailed]
          channels:
          - type: slack
            slack: {webhookURLFrom: {secretKeyRef: {name: slack-url, key: url}}}
          - type: webhook
            webhook: {urlFrom: {secretKeyRef: {name: not-there, key: endpoint}}}
        """);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> Conditions.find(status(), "Ready").path("status").asText().equals("False"));
    assertThat(Conditions.find(status(), "Ready").path("message").asText())
        .isEqualTo(
            "spec.channels[1].webhook.urlFrom.secretKeyRef: Secret \"not-there\" not found;"
                + " create it with key \"endpoint\"");
  }
}
