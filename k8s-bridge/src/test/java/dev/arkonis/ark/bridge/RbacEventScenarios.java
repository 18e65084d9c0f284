package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static dev.arkonis.ark.bridge.RbacFixture.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.events.ArkEventReconciler;
import dev.arkonis.ark.bridge.webhook.WebhookCache;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * {@link RbacUsageTest}'s ArkEvent scenarios: a cron event, a team-output event and a webhook event
 * (fired through the webhook server with the operator's client), each created, fired or suspended,
 * then deleted.
 */
final class RbacEventScenarios {
  private final RbacFixture cluster;
  private final KubernetesClient client;

  RbacEventScenarios(RbacFixture cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
  }

  /**
   * ArkEvents. A cron event (a finalizer, then the timer workflow: the Temporal test server has no
   * Schedule API) is suspended, then deleted (the finalizer lets go). A team-output event fires
   * when a run of its team succeeds: the fire creates a run, records itself in the event's status
   * and annotations, and marks the source run. A webhook event gets its token Secret; the webhook
   * server (on every replica, with the operator's client: it reads the event and the Secret) is
   * fired twice with concurrencyPolicy Replace, the second time in sync mode: the first fire's
   * active run is listed and deleted, the second fire waits for its run's state.
   */
  void events(KubernetesClient operatorClient, WorkflowClient temporal) throws Exception {
    cluster.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: nightly}
        spec:
          source: {type: cron, cron: "0 3 * * *", timezone: Europe/Berlin}
          targets:
            - {team: crew, input: {topic: "the night of {{ .trigger.firedAt }}"}}
        """);
    awaitEventReason("nightly", "Scheduled");
    assertThat(event("nightly").getMetadata().getFinalizers())
        .contains(ArkEventReconciler.FINALIZER);
    client
        .resources(ArkEvent.class)
        .inNamespace(NS)
        .withName("nightly")
        .edit(
            e -> {
              e.getSpec().setSuspended(true);
              return e;
            });
    awaitEventReason("nightly", "Suspended");
    client.resources(ArkEvent.class).inNamespace(NS).withName("nightly").delete();
    cluster.awaitGone(ArkEvent.class, "nightly");

    cluster.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: after-crew}
        spec:
          source:
            type: team-output
            teamOutput: {name: crew}
          targets:
            - {team: slowpoke}
        """);
    awaitEventReason("after-crew", "Watching");
    cluster.createRun("source", "crew", "{topic: events}", null);
    cluster.awaitPhase(ArkRun.class, "source", "Succeeded");
    awaitFiredCount("after-crew", 1);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ArkRun source =
                  client.resources(ArkRun.class).inNamespace(NS).withName("source").get();
              return source == null // pruned by the history limit after marking: fine too
                  || source.getMetadata().getAnnotations() != null
                      && source
                          .getMetadata()
                          .getAnnotations()
                          .containsKey("arkonis.dev/fired-events");
            });
    client.resources(ArkEvent.class).inNamespace(NS).withName("after-crew").delete();
    cluster.awaitGone(ArkEvent.class, "after-crew");

    // the user's own token, made before the event: the operator labels it for the webhook's cache
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.SecretBuilder()
                .withNewMetadata()
                .withName("own-hook-token")
                .endMetadata()
                .addToData(
                    "token",
                    Base64.getEncoder()
                        .encodeToString(
                            "users-own-token-0123456789".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    cluster.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: own-hook}
        spec:
          source: {type: webhook}
          targets:
            - {team: slowpoke}
        """);
    awaitEventReason("own-hook", "WebhookReady");
    await()
        .atMost(WAIT)
        .until(
            () ->
                "own-hook"
                    .equals(
                        client
                            .secrets()
                            .inNamespace(NS)
                            .withName("own-hook-token")
                            .get()
                            .getMetadata()
                            .getLabels()
                            .get("arkonis.dev/event")));
    client.resources(ArkEvent.class).inNamespace(NS).withName("own-hook").delete();
    cluster.awaitGone(ArkEvent.class, "own-hook");

    cluster.apply(
        ArkEvent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: hook}
        spec:
          source: {type: webhook}
          concurrencyPolicy: Replace
          targets:
            - {team: slowpoke}
        """);
    awaitEventReason("hook", "WebhookReady");
    String token =
        new String(
                Base64.getDecoder()
                    .decode(
                        client
                            .secrets()
                            .inNamespace(NS)
                            .withName("hook-token")
                            .get()
                            .getData()
                            .get("token")),
                StandardCharsets.UTF_8)
            .strip();
    try (WebhookCache cache = WebhookCache.start(operatorClient, null);
        WebhookServer webhooks =
            new WebhookServer(cache, temporal, 0, WebhookServer.Limits.DEFAULT)) {
      await().atMost(WAIT).until(() -> token.equals(cache.token(NS, "hook")));
      HttpClient http = HttpClient.newHttpClient();
      URI uri = URI.create("http://localhost:" + webhooks.port() + WebhookServer.path(NS, "hook"));
      HttpResponse<String> first = post(http, uri, token);
      assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
      String firstRun =
          client
              .getKubernetesSerialization()
              .unmarshal(first.body(), JsonNode.class)
              .path("runs")
              .get(0)
              .asText();
      cluster.awaitPhase(ArkRun.class, firstRun, "Running");
      HttpResponse<String> second = post(http, URI.create(uri + "?mode=sync&timeout=60s"), token);
      assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
      ArkRun replaced = client.resources(ArkRun.class).inNamespace(NS).withName(firstRun).get();
      assertThat(replaced == null || replaced.getMetadata().getDeletionTimestamp() != null)
          .as("ArkRun %s replaced (deleted) by the second fire", firstRun)
          .isTrue();
      awaitFiredCount("hook", 2);
    }
    client.resources(ArkEvent.class).inNamespace(NS).withName("hook").delete();
    cluster.awaitGone(ArkEvent.class, "hook");
  }

  private static HttpResponse<String> post(HttpClient http, URI uri, String token)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"topic\": \"RBAC\"}"))
            .timeout(Duration.ofSeconds(90))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private ArkEvent event(String name) {
    return client.resources(ArkEvent.class).inNamespace(NS).withName(name).get();
  }

  private void awaitEventReason(String name, String reason) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        condition(cluster.status(ArkEvent.class, name), "Ready")
                            .path("reason")
                            .asText())
                    .as("ArkEvent %s: %s", name, cluster.status(ArkEvent.class, name))
                    .isEqualTo(reason));
  }

  private void awaitFiredCount(String name, long count) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(cluster.status(ArkEvent.class, name).path("firedCount").asLong())
                    .as("ArkEvent %s: %s", name, cluster.status(ArkEvent.class, name))
                    .isEqualTo(count));
  }
}
