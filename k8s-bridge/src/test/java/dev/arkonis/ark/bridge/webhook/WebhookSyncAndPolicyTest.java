package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.WebhookFixture.EVENT;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TEAM;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TOKEN;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.json;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.webhook.WebhookFixture.FakeFire;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code mode=sync} and {@code concurrencyPolicy}, over real HTTP. */
@EnableKubernetesMockClient(crud = true)
class WebhookSyncAndPolicyTest {
  static KubernetesClient client;
  private WebhookFixture f;

  private static final String TICKET = "{\"message\": \"The API returns 500 on /orders.\"}";

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  @Test
  void syncModeAnswers200WithTheOutputOfTheRun() throws Exception {
    HttpResponse<String> response =
        f.post(EVENT, "mode=sync&timeout=20s", "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String fireId = FakeFire.FIRES.keySet().iterator().next();
    String run = EventFireWorkflow.runName(TEAM, fireId, 0);
    JsonNode body = json(response);
    assertThat(strings(body.path("runs"))).containsExactly(run);
    assertThat(body.path("output").asText()).isEqualTo("answer of " + run);
    assertThat(FakeFire.FIRES.get(fireId).request().waitForRuns()).isTrue();
  }

  @Test
  void aSyncWaitOutlastsTheIdleTimeout() throws Exception {
    f.close();
    f =
        new WebhookFixture(
            client,
            new WebhookServer.Limits(
                1024 * 1024,
                HttpLimits.DEFAULT.withTimeouts(
                    Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5)),
                Duration.ofSeconds(60),
                Duration.ofMinutes(10)));
    FakeFire.delay = Duration.ofSeconds(3);

    HttpResponse<String> response =
        f.post(EVENT, "mode=sync&timeout=20s", "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    assertThat(json(response).path("output").asText()).startsWith("answer of ");
  }

  @Test
  void syncModeWithSeveralTargetsAnswersAnOutputPerRun() throws Exception {
    f.event("two-teams", spec -> spec.withArray("targets").addObject().put("team", "billing-team"));
    HttpResponse<String> response = f.post("two-teams", "mode=sync", "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    String fireId = FakeFire.FIRES.keySet().iterator().next();
    String first = EventFireWorkflow.runName(TEAM, fireId, 0);
    String second = EventFireWorkflow.runName("billing-team", fireId, 1);
    JsonNode output = json(response).path("output");
    assertThat(output.path(first).asText()).isEqualTo("answer of " + first);
    assertThat(output.path(second).asText()).isEqualTo("answer of " + second);
  }

  @Test
  void syncModeAnswers500WithPhaseAndMessageWhenARunFailed() throws Exception {
    FakeFire.phase = Phases.FAILED;
    FakeFire.delay = Duration.ofSeconds(2);
    CompletableFuture<HttpResponse<String>> pending = f.postAsync(EVENT, "mode=sync", TICKET);
    await().atMost(Duration.ofSeconds(30)).until(() -> FakeFire.FIRES.size() == 1);
    String run = EventFireWorkflow.runName(TEAM, FakeFire.FIRES.keySet().iterator().next(), 0);
    f.run(run, EVENT, null);
    f.status(run, Phases.FAILED, "step coordinator: model returned 401 Unauthorized");

    HttpResponse<String> response = pending.get();
    assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
    JsonNode body = json(response);
    assertThat(strings(body.path("runs"))).containsExactly(run);
    assertThat(body.path("phases").path(run).asText()).isEqualTo(Phases.FAILED);
    assertThat(body.path("messages").path(run).asText()).contains("401 Unauthorized");
    assertThat(body.path("error").asText()).contains(run).contains("Failed");
  }

  @Test
  void syncModeAnswers500WithTheReasonWhenTheFireFailed() throws Exception {
    FakeFire.failure = "targets[0] input.message: template line 1: bad; no run was created";
    HttpResponse<String> response = f.post(EVENT, "mode=sync", "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(500);
    assertThat(json(response).path("error").asText())
        .startsWith("the fire failed (workflow arkevent/ark-teams/support-webhook/webhook-")
        .endsWith("): " + FakeFire.failure);
  }

  @Test
  void syncModeAnswers504WhenTheRunsOutlastTheTimeout() throws Exception {
    FakeFire.delay = Duration.ofSeconds(30);
    long start = System.nanoTime();
    HttpResponse<String> response =
        f.post(EVENT, "mode=sync&timeout=500ms", "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(504);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(json(response).path("error").asText()).contains("keep running");
    assertThat(strings(json(response).path("runs"))).hasSize(1);
    assertThat(f.started).hasSize(1);
  }

  @Test
  void forbidAnswers409WhileRunsOfAnEarlierFireAreActive() throws Exception {
    f.event("one-at-a-time", spec -> spec.put("concurrencyPolicy", "Forbid"));
    f.run("customer-support-team-old01", "one-at-a-time", Phases.RUNNING);
    f.run("customer-support-team-old02", "one-at-a-time", Phases.SUCCEEDED);
    f.run("customer-support-team-other", EVENT, Phases.RUNNING); // another event's run

    HttpResponse<String> busy = f.post("one-at-a-time", null, "Bearer " + TOKEN, TICKET);
    assertThat(busy.statusCode()).as(busy.body()).isEqualTo(409);
    assertThat(strings(json(busy).path("activeRuns")))
        .containsExactly("customer-support-team-old01");
    assertThat(json(busy).path("error").asText()).contains("Forbid");
    assertThat(f.started).isEmpty();

    f.status("customer-support-team-old01", Phases.SUCCEEDED, null);
    HttpResponse<String> free = f.post("one-at-a-time", null, "Bearer " + TOKEN, TICKET);
    assertThat(free.statusCode()).as(free.body()).isEqualTo(202);
    assertThat(f.started).hasSize(1);
  }

  @Test
  void forbidCountsAFireWhoseRunsAreNotCreatedYet() throws Exception {
    f.event("one-at-a-time", spec -> spec.put("concurrencyPolicy", "Forbid"));
    FakeFire.delay = Duration.ofSeconds(3); // the fake creates no runs: only the fire is in flight

    HttpResponse<String> first = f.post("one-at-a-time", null, "Bearer " + TOKEN, TICKET);
    HttpResponse<String> second = f.post("one-at-a-time", null, "Bearer " + TOKEN, TICKET);

    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    assertThat(second.statusCode()).as(second.body()).isEqualTo(409);
    assertThat(strings(json(second).path("activeRuns")))
        .isEqualTo(strings(json(first).path("runs")));
    assertThat(f.started).hasSize(1);
  }

  @Test
  void forbidAdmitsOneOfTwoSimultaneousFires() throws Exception {
    f.event("one-at-a-time", spec -> spec.put("concurrencyPolicy", "Forbid"));
    FakeFire.delay = Duration.ofSeconds(3);
    CompletableFuture<HttpResponse<String>> a = f.postAsync("one-at-a-time", null, TICKET);
    CompletableFuture<HttpResponse<String>> b = f.postAsync("one-at-a-time", null, TICKET);

    assertThat(List.of(a.get().statusCode(), b.get().statusCode()))
        .containsExactlyInAnyOrder(202, 409);
    assertThat(f.started).hasSize(1);
  }

  @Test
  void replaceCancelsTheRunningFireAndWaitsForItToCloseBeforeFiring() throws Exception {
    f.event("latest-wins", spec -> spec.put("concurrencyPolicy", "Replace"));
    FakeFire.delay = Duration.ofSeconds(30);
    HttpResponse<String> first = f.post("latest-wins", null, "Bearer " + TOKEN, TICKET);
    assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
    String firstFire = f.awaitOnlyFire();

    HttpResponse<String> second = f.post("latest-wins", null, "Bearer " + TOKEN, TICKET);

    assertThat(second.statusCode()).as(second.body()).isEqualTo(202);
    // the earlier fire was cancelled (its cancellation deletes its runs) and had closed before
    // the next one started under the same id
    assertThat(FakeFire.CANCELLED).containsExactly(firstFire);
    assertThat(f.started)
        .containsExactly(
            ConcurrencyGate.exclusiveId(WebhookFixture.NS, "latest-wins"),
            ConcurrencyGate.exclusiveId(WebhookFixture.NS, "latest-wins"));
    assertThat(json(second).path("runs")).isNotEqualTo(json(first).path("runs"));
  }

  @Test
  void replaceDeletesTheActiveRunsThenFires() throws Exception {
    f.event("latest-wins", spec -> spec.put("concurrencyPolicy", "Replace"));
    f.run("customer-support-team-old01", "latest-wins", Phases.RUNNING);
    f.run("customer-support-team-old02", "latest-wins", null);
    f.run("customer-support-team-done1", "latest-wins", Phases.SUCCEEDED);

    HttpResponse<String> response = f.post("latest-wins", null, "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(f.started).hasSize(1);
    assertThat(f.runExists("customer-support-team-old01")).isFalse();
    assertThat(f.runExists("customer-support-team-old02")).isFalse();
    assertThat(f.runExists("customer-support-team-done1")).isTrue();
  }
}
