package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev} runs the customer-support team like a cluster would: the operator creates the
 * webhook token, a POST in sync mode fires the event and answers with the run's output (mock
 * model), a bad token is refused and starts nothing; 100 concurrent posts create 100 distinct
 * ArkRuns.
 */
class DevRuntimeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void webhookInSyncModeReturnsTheCustomerSupportOutput(@TempDir Path dir) throws Exception {
    webhookInSyncModeAnswers(Cli.fixture("customer-support-team.yaml"), dir);
  }

  /**
   * {@code ark dev} on a folder holding {@code recipe} (this module's customer-support fixture, or
   * the upstream recipe in {@link DevRuntimeCompatTest}): its webhook answers in sync mode.
   */
  static void webhookInSyncModeAnswers(Path recipe, Path dir) throws Exception {
    Files.copy(recipe, dir.resolve("customer-support.yaml"));
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      String token = awaitToken(dev);
      HttpClient http = HttpClient.newHttpClient();
      URI uri =
          URI.create(
              "http://localhost:"
                  + dev.webhookPort()
                  + "/triggers/ark-teams/support-webhook?mode=sync&timeout=60s");

      HttpResponse<String> refused =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer not-the-token")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"hi\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);
      assertThat(dev.client().resources(ArkRun.class).inAnyNamespace().list().getItems()).isEmpty();

      HttpResponse<String> answer =
          http.send(
              HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"message\": \"My invoice shows a double charge for last month.\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
      JsonNode body = JSON.readTree(answer.body());
      assertThat(body.path("runs")).hasSize(1);
      assertThat(body.path("output").asText())
          .contains("- billing:", "- technical:", "- escalation:", "double charge for last month");
      // the in-process worker's own log, as the dashboard's logs page shows it
      assertThat(dev.workerLog().tail("ark-teams", "customer-support-team-billing", 50))
          .hasValueSatisfying(log -> assertThat(log).contains("chat ", "answered in "));
    }
  }

  @Test
  void hundredConcurrentPostsCreateHundredDistinctRuns(@TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("echo.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: echo
          namespace: ark-teams
        spec:
          inputs:
            - name: message
              type: string
              required: true
          roles:
            - name: echo
              model: mock-model
          pipeline:
            - role: echo
              inputs:
                prompt: "{{ .input.message }}"
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata:
          name: echo-hook
          namespace: ark-teams
        spec:
          source:
            type: webhook
          targets:
            - team: echo
              input:
                message: "{{ .trigger.body.message }}"
        """);
    try (DevRuntime dev = new DevRuntime(dir, 0, "mock", Duration.ZERO)) {
      String token = awaitToken(dev, "echo-hook");
      HttpClient http = HttpClient.newHttpClient();
      URI uri =
          URI.create("http://localhost:" + dev.webhookPort() + "/triggers/ark-teams/echo-hook");
      List<CompletableFuture<HttpResponse<String>>> posts = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        posts.add(
            http.sendAsync(
                HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + token)
                    .POST(
                        HttpRequest.BodyPublishers.ofString("{\"message\": \"ticket " + i + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      Set<String> names = new HashSet<>();
      for (CompletableFuture<HttpResponse<String>> post : posts) {
        HttpResponse<String> response = post.get(60, TimeUnit.SECONDS);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        JSON.readTree(response.body()).path("runs").forEach(r -> names.add(r.asText()));
      }
      assertThat(names).hasSize(100);
      await().atMost(Duration.ofSeconds(60)).until(() -> runNames(dev).containsAll(names));
      assertThat(runNames(dev)).hasSize(100);
    }
  }

  @Test
  void withoutAFolderTeamsCreatedLaterGetAgentWorkersAndTheirRunsSucceed() throws Exception {
    List<String> said = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (DevRuntime dev =
        new DevRuntime(DevRuntime.Options.local(null, 0, "mock", Duration.ZERO), said::add)) {
      var client = dev.client();
      client
          .resource(
              client
                  .getKubernetesSerialization()
                  .unmarshal(
                      """
                      apiVersion: arkonis.dev/v1alpha1
                      kind: ArkTeam
                      metadata:
                        name: later
                        namespace: default
                      spec:
                        roles:
                          - name: solo
                            model: mock-model
                            limits:
                              maxConcurrentTasks: 2
                        pipeline:
                          - role: solo
                            inputs:
                              prompt: "say hi"
                      """,
                      io.fabric8.kubernetes.api.model.HasMetadata.class))
          .create();
      client
          .resource(
              client
                  .getKubernetesSerialization()
                  .unmarshal(
                      """
                      apiVersion: arkonis.dev/v1alpha1
                      kind: ArkRun
                      metadata:
                        name: later-1
                        namespace: default
                      spec:
                        teamRef:
                          name: later
                      """,
                      io.fabric8.kubernetes.api.model.HasMetadata.class))
          .create();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  client
                      .getKubernetesSerialization()
                      .convertValue(
                          client
                              .resources(ArkRun.class)
                              .inNamespace("default")
                              .withName("later-1")
                              .get(),
                          JsonNode.class)
                      .path("status")
                      .path("phase")
                      .asText(),
              "Succeeded"::equals);
      // the managed agent's limits.maxConcurrentTasks sizes its in-process worker
      assertThat(said).contains("agent worker on ark/default/later-solo (2 concurrent tasks)");
    }
  }

  private static Set<String> runNames(DevRuntime dev) {
    Set<String> names = new HashSet<>();
    dev.client()
        .resources(ArkRun.class)
        .inNamespace("ark-teams")
        .list()
        .getItems()
        .forEach(r -> names.add(r.getMetadata().getName()));
    return names;
  }

  private static String awaitToken(DevRuntime dev) throws InterruptedException {
    return awaitToken(dev, "support-webhook");
  }

  private static String awaitToken(DevRuntime dev, String event) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      var secret = dev.client().secrets().inNamespace("ark-teams").withName(event + "-token").get();
      if (secret != null
          && secret.getData() != null
          && secret.getData().get("token") != null
          && dev.webhookServes("ark-teams", event)) {
        return new String(
            Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the operator did not create the webhook token");
  }
}
