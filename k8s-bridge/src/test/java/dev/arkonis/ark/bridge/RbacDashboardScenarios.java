package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.NS;
import static dev.arkonis.ark.bridge.RbacFixture.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.bridge.dashboard.DashboardCache;
import dev.arkonis.ark.bridge.dashboard.DashboardServer;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link RbacUsageTest}'s dashboard scenarios, with actions enabled and the operator's client: its
 * informers, a run triggered from a team's inputs, a failed run retried, a running run cancelled,
 * and an agent's pod logs.
 */
final class RbacDashboardScenarios {
  private final RbacFixture cluster;
  private final KubernetesClient client;
  private final HttpClient http = HttpClient.newHttpClient();

  RbacDashboardScenarios(RbacFixture cluster) {
    this.cluster = cluster;
    this.client = cluster.client();
  }

  void dashboard(KubernetesClient operatorClient, WorkflowClient temporal) throws Exception {
    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder()
                .withNewMetadata()
                .withName("crew-writer-0")
                .addToLabels("arkonis.dev/agent", "crew-writer")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("agent")
                .withImage("ark")
                .endContainer()
                .endSpec()
                .build())
        .create();
    try (DashboardCache cache = DashboardCache.start(operatorClient, null);
        DashboardServer server =
            new DashboardServer(
                cache,
                operatorClient,
                temporal,
                new DashboardServer.Settings("127.0.0.1", 0, true, null, "default"))) {
      await().atMost(WAIT).until(() -> cache.notReady() == null);
      String base = "http://127.0.0.1:" + server.port();
      HttpResponse<String> page =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      Matcher token =
          Pattern.compile("name=\"ark-csrf\" content=\"([^\"]+)\"").matcher(page.body());
      assertThat(token.find()).isTrue();
      String cookie = page.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

      assertThat(
              post(
                  base,
                  token.group(1),
                  cookie,
                  "trigger",
                  "{\"namespace\":\""
                      + NS
                      + "\",\"team\":\"crew\",\"input\":{\"topic\":\"dashboards\"}}"))
          .isEqualTo(200);
      assertThat(
              post(
                  base,
                  token.group(1),
                  cookie,
                  "retry",
                  "{\"namespace\":\"" + NS + "\",\"run\":\"no-input\"}"))
          .isEqualTo(200);

      cluster.createRun("slow-dash", "slowpoke", null, null);
      cluster.awaitPhase(ArkRun.class, "slow-dash", "Running");
      assertThat(
              post(
                  base,
                  token.group(1),
                  cookie,
                  "cancel",
                  "{\"namespace\":\"" + NS + "\",\"run\":\"slow-dash\"}"))
          .isEqualTo(200);
      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofSeconds(1))
          .until(
              () -> {
                ArkRun slow =
                    client.resources(ArkRun.class).inNamespace(NS).withName("slow-dash").get();
                if (slow != null) {
                  cluster.touch(slow);
                }
                return slow == null;
              });

      HttpResponse<String> logs =
          http.send(
              HttpRequest.newBuilder(URI.create(base + "/api/agents/" + NS + "/crew-writer/logs"))
                  .header("X-Ark-Csrf", token.group(1))
                  .header("Cookie", cookie)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(logs.statusCode()).as(logs.body()).isEqualTo(200);
      assertThat(logs.body()).contains("crew-writer-0");
    }
  }

  private int post(String base, String token, String cookie, String action, String body)
      throws Exception {
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/actions/" + action))
                .header("Content-Type", "application/json")
                .header("X-Ark-Csrf", token)
                .header("Cookie", cookie)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(action + ": " + answer.body()).isEqualTo(200);
    return answer.statusCode();
  }
}
