package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.WebhookFixture.EVENT;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.NS;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TEAM;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.TOKEN;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.json;
import static dev.arkonis.ark.bridge.webhook.WebhookFixture.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.webhook.WebhookFixture.FakeFire;
import dev.arkonis.ark.bridge.webhook.WebhookFixture.Recorded;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Authentication, validation, the asynchronous fire and concurrent requests, over real HTTP. */
@EnableKubernetesMockClient(crud = true)
class WebhookServerTest {
  static KubernetesClient client;
  private WebhookFixture f;

  @BeforeEach
  void setUp() throws Exception {
    f = new WebhookFixture(client);
  }

  @AfterEach
  void tearDown() {
    f.close();
  }

  static final String TICKET = "{\"message\": \"My invoice shows a double charge.\"}";

  @Test
  void goodTokenStartsOneFireAndAnswersTheRunNames() throws Exception {
    goodTokenStartsOneFire(f);
  }

  /** Shared with {@link WebhookCompatTest} (the upstream recipe's webhook). */
  static void goodTokenStartsOneFire(WebhookFixture f) throws Exception {
    HttpResponse<String> response = f.post(EVENT, null, "Bearer " + TOKEN, TICKET);

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    assertThat(f.started).hasSize(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> FakeFire.FIRES.size() == 1);
    Recorded fire = FakeFire.FIRES.values().iterator().next();
    EventFireWorkflow.FireRequest request = fire.request();
    assertThat(request.fireId()).startsWith("webhook-");
    assertThat(fire.workflowId())
        .isEqualTo(EventFireWorkflow.workflowId(NS, EVENT, request.fireId()))
        .isEqualTo(f.started.peek());
    assertThat(fire.taskQueue()).isEqualTo(TeamRunWorkflow.TASK_QUEUE);
    assertThat(request.namespace()).isEqualTo(NS);
    assertThat(request.event()).isEqualTo(EVENT);
    assertThat(request.waitForRuns()).isFalse();
    assertThat(request.trigger())
        .isEqualTo(Map.of("body", Map.of("message", "My invoice shows a double charge.")));
    assertThat(request.targets())
        .containsExactly(
            new EventFireWorkflow.Target(TEAM, Map.of("message", "{{ .trigger.body.message }}")));
    JsonNode body = json(response);
    assertThat(strings(body.path("runs")))
        .containsExactly(EventFireWorkflow.runName(TEAM, request.fireId(), 0));
    assertThat(body.path("workflowId").asText()).isEqualTo(fire.workflowId());
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
  }

  @Test
  void fanOutNamesOneRunPerTarget() throws Exception {
    f.event("two-teams", spec -> spec.withArray("targets").addObject().put("team", "billing-team"));
    HttpResponse<String> response = f.post("two-teams", null, "Bearer " + TOKEN, "{}");

    assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(30)).until(() -> FakeFire.FIRES.size() == 1);
    String fireId = FakeFire.FIRES.keySet().iterator().next();
    assertThat(strings(json(response).path("runs")))
        .containsExactly(
            EventFireWorkflow.runName(TEAM, fireId, 0),
            EventFireWorkflow.runName("billing-team", fireId, 1));
  }

  @Test
  void missingTokenIs401() throws Exception {
    assertRefused(f.post(EVENT, null, null, TICKET), 401, "Authorization: Bearer");
    assertRefused(f.post(EVENT, null, "Basic " + TOKEN, TICKET), 401, "Authorization: Bearer");
  }

  @Test
  void wrongTokenIs401AndNeverEchoesATokenBack() throws Exception {
    String wrong = TOKEN + "x";
    HttpResponse<String> response = f.post(EVENT, null, "Bearer " + wrong, TICKET);
    assertRefused(response, 401, "wrong bearer token");
    assertThat(response.body()).doesNotContain(TOKEN).doesNotContain(wrong);
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    assertRefused(f.post(EVENT, null, "Bearer", TICKET), 401, "Bearer");
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN.substring(1), TICKET), 401, "wrong");
  }

  @Test
  void unknownEventIs404() throws Exception {
    assertRefused(f.post("no-such-event", null, "Bearer " + TOKEN, TICKET), 404, "not found");
  }

  @Test
  void eventThatIsNotAWebhookIs404() throws Exception {
    f.event(
        "nightly", spec -> spec.putObject("source").put("type", "cron").put("cron", "0 9 * * *"));
    assertRefused(f.post("nightly", null, "Bearer " + TOKEN, TICKET), 404, "not a webhook");
  }

  @Test
  void suspendedEventIs503() throws Exception {
    f.event("paused", spec -> spec.put("suspended", true));
    assertRefused(f.post("paused", null, "Bearer " + TOKEN, TICKET), 503, "suspended");
  }

  @Test
  void eventWithoutTokenSecretYetIs503() throws Exception {
    f.event("fresh", spec -> {});
    f.deleteToken("fresh");
    assertRefused(f.post("fresh", null, "Bearer " + TOKEN, TICKET), 503, "fresh-token");
  }

  @Test
  void bodyOverOneMebibyteIs413() throws Exception {
    int limit = 1024 * 1024;
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, jsonOfSize(limit + 1)), 413, "limit");

    HttpResponse<String> atLimit = f.post(EVENT, null, "Bearer " + TOKEN, jsonOfSize(limit));
    assertThat(atLimit.statusCode()).as(atLimit.body()).isEqualTo(202);
  }

  @Test
  void bodyThatIsNotJsonIs400() throws Exception {
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, "message=hello"), 400, "not valid JSON");
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, "{\"a\": 1} trailing"), 400, "JSON");
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, ""), 400, "empty");
  }

  @Test
  void jsonArrayIs400() throws Exception {
    assertRefused(f.post(EVENT, null, "Bearer " + TOKEN, "[{\"message\": \"hi\"}]"), 400, "array");
  }

  @Test
  void bodyTheTargetTemplatesCannotRenderIs400() throws Exception {
    f.event(
        "digest",
        spec ->
            ((ObjectNode) spec.path("targets").get(0))
                .putObject("input")
                .put("items", "{{ range .trigger.body.items }}{{ . }},{{ end }}"));
    assertRefused(
        f.post("digest", null, "Bearer " + TOKEN, "{\"items\": \"not-a-list\"}"),
        400,
        "spec.targets[0].input.items");

    HttpResponse<String> list = f.post("digest", null, "Bearer " + TOKEN, "{\"items\": [1, 2]}");
    assertThat(list.statusCode()).as(list.body()).isEqualTo(202);
  }

  @Test
  void badQueryAndMethodAndPathAreRefused() throws Exception {
    assertRefused(f.post(EVENT, "mode=later", "Bearer " + TOKEN, TICKET), 400, "mode");
    assertRefused(f.post(EVENT, "mode=sync&timeout=11m", "Bearer " + TOKEN, TICKET), 400, "10m");
    assertRefused(
        f.post(EVENT, "mode=sync&timeout=soon", "Bearer " + TOKEN, TICKET), 400, "timeout");
    HttpResponse<String> get =
        f.http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + f.server.port() + "/triggers/" + NS + "/" + EVENT))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertRefused(get, 405, "POST");
    HttpResponse<String> elsewhere =
        f.http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + f.server.port() + "/triggers/x"))
                .POST(HttpRequest.BodyPublishers.ofString(TICKET))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertRefused(elsewhere, 404, "/triggers/<namespace>/<name>");
    HttpResponse<String> traversal =
        f.http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + f.server.port() + "/triggers/%2E%2E/" + EVENT))
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(TICKET))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertRefused(traversal, 404, "/triggers/<namespace>/<name>");
  }

  @Test
  void hundredConcurrentPostsStartHundredDistinctFires() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      responses.add(f.postAsync(EVENT, null, "{\"message\": \"ticket " + i + "\"}"));
    }
    Set<String> runs = new HashSet<>();
    Set<String> workflows = new HashSet<>();
    for (CompletableFuture<HttpResponse<String>> future : responses) {
      HttpResponse<String> response = future.get();
      assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
      JsonNode body = json(response);
      runs.addAll(strings(body.path("runs")));
      workflows.add(body.path("workflowId").asText());
    }
    assertThat(runs).hasSize(100);
    assertThat(workflows).hasSize(100);
    assertThat(f.started).hasSize(100).doesNotHaveDuplicates();
    await().atMost(Duration.ofSeconds(30)).until(() -> FakeFire.FIRES.size() == 100);
    Set<Object> messages = new HashSet<>();
    FakeFire.FIRES.values().forEach(r -> messages.add(r.request().trigger().get("body")));
    assertThat(messages).hasSize(100);
  }

  /** The status, a clear {@code {"error"}} and nothing started. */
  private void assertRefused(HttpResponse<String> response, int status, String errorPart)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(json(response).path("error").asText()).contains(errorPart);
    assertThat(response.body()).doesNotContain(TOKEN);
    assertThat(f.started).as("workflows started").isEmpty();
  }

  /** A JSON object of exactly {@code size} bytes. */
  private static String jsonOfSize(int size) {
    String head = "{\"message\": \"";
    String tail = "\"}";
    return head + "x".repeat(size - head.length() - tail.length()) + tail;
  }
}
