package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.workflow.Workflow;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link WebhookServer} on a CRUD mock API server holding the customer-support team (its ArkEvent
 * {@code support-webhook} and token Secret) and an in-memory Temporal service whose orchestrator
 * queue runs {@link FakeFire} instead of the real fire workflow.
 */
final class WebhookFixture implements AutoCloseable {
  static final String NS = "ark-teams";
  static final String EVENT = "support-webhook";
  static final String TEAM = "customer-support-team";
  static final String TOKEN = "tok-3f9a1c7e5b2d4a60";
  static final ObjectMapper JSON = new ObjectMapper();

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  final KubernetesClient client;
  final TestWorkflowEnvironment env;
  final WebhookCache cache;
  final WebhookServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  /** Workflow ids of the executions the Temporal client started, in order (refused starts not). */
  final Queue<String> started = new ConcurrentLinkedQueue<>();

  WebhookFixture(KubernetesClient client) throws IOException {
    this(client, Fixtures.open("customer-support-team.yaml"));
  }

  /**
   * With the team and webhook event of {@code manifest} (the upstream recipe in the compat suite).
   */
  WebhookFixture(KubernetesClient client, InputStream manifest) throws IOException {
    this(client, manifest, WebhookServer.Limits.DEFAULT);
  }

  /** With other limits (timeouts) of the server. */
  WebhookFixture(KubernetesClient client, WebhookServer.Limits limits) throws IOException {
    this(client, Fixtures.open("customer-support-team.yaml"), limits);
  }

  private WebhookFixture(KubernetesClient client, InputStream manifest, WebhookServer.Limits limits)
      throws IOException {
    MOCK_LOG.setLevel(Level.WARNING);
    this.client = client;
    FakeFire.reset();
    CrdCatalog.install(client);
    try (InputStream in = manifest) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
    cache = WebhookCache.start(client, null);
    token(EVENT, TOKEN);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerWorkflowImplementationTypes(FakeFire.class);
    env.start();
    server = new WebhookServer(cache, countingClient(), 0, limits);
    awaitCached(EVENT);
  }

  /** Waits until the webhook's caches hold the event and its token. */
  void awaitCached(String event) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cache.notReady() == null
                    && cache.event(NS, event) != null
                    && cache.token(NS, event) != null);
  }

  /** The fire id of the one fire the fake workflow saw, once it saw it. */
  String awaitOnlyFire() {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !FakeFire.FIRES.isEmpty());
    return FakeFire.FIRES.keySet().iterator().next();
  }

  /** Deletes an event's token Secret and waits until the webhook's cache lost it. */
  void deleteToken(String event) {
    client.secrets().inNamespace(NS).withName(event + "-token").delete();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cache.token(NS, event) == null);
  }

  @Override
  public void close() {
    server.close();
    cache.close();
    env.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkEvent.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
    client.secrets().inNamespace(NS).delete();
  }

  /** A Temporal client that records every workflow it started. */
  private WorkflowClient countingClient() {
    return WorkflowClient.newInstance(
        env.getWorkflowServiceStubs(),
        WorkflowClientOptions.newBuilder()
            .setNamespace(env.getNamespace())
            .setInterceptors(
                new WorkflowClientInterceptorBase() {
                  @Override
                  public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(
                      WorkflowClientCallsInterceptor next) {
                    return new WorkflowClientCallsInterceptorBase(next) {
                      @Override
                      public WorkflowStartOutput start(WorkflowStartInput input) {
                        WorkflowStartOutput output = super.start(input);
                        started.add(input.getWorkflowId());
                        return output;
                      }
                    };
                  }
                })
            .build());
  }

  /** Creates the token Secret of an event, as the ArkEvent reconciler does. */
  void token(String event, String token) {
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(event + "-token")
                .addToLabels(EventStore.EVENT_LABEL, event)
                .endMetadata()
                .addToData(
                    "token",
                    Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)))
                .build())
        .createOr(r -> r.update());
  }

  /** A copy of the recipe's ArkEvent under another name, its spec edited, with a token. */
  void event(String name, Consumer<ObjectNode> spec) {
    ArkEvent base = client.resources(ArkEvent.class).inNamespace(NS).withName(EVENT).get();
    ObjectNode tree = client.getKubernetesSerialization().convertValue(base, ObjectNode.class);
    ObjectNode metadata = JsonNodeFactory.instance.objectNode();
    metadata.put("name", name);
    metadata.put("namespace", NS);
    tree.set("metadata", metadata);
    tree.remove("status");
    spec.accept((ObjectNode) tree.path("spec"));
    client
        .resources(ArkEvent.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().convertValue(tree, ArkEvent.class))
        .create();
    token(name, TOKEN);
    awaitCached(name);
  }

  /** An ArkRun labelled as a run of {@code event}, with a phase (null = none yet). */
  void run(String name, String event, String phase) {
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\n  labels:\n    arkonis.dev/event: "
            + event
            + "\nspec:\n  teamRef:\n    name: "
            + TEAM
            + "\n";
    client
        .resources(ArkRun.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class))
        .create();
    if (phase != null) {
      status(name, phase, null);
    }
  }

  void status(String run, String phase, String message) {
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.put("phase", phase);
    if (message != null) {
      patch.put("message", message);
    }
    new StatusWriter(client).merge(ArkRun.class, NS, run, patch);
  }

  boolean runExists(String name) {
    return client.resources(ArkRun.class).inNamespace(NS).withName(name).get() != null;
  }

  HttpResponse<String> post(String event, String query, String authorization, String body)
      throws IOException, InterruptedException {
    return http.send(
        request(event, query, authorization, body), HttpResponse.BodyHandlers.ofString());
  }

  CompletableFuture<HttpResponse<String>> postAsync(String event, String query, String body) {
    return http.sendAsync(
        request(event, query, "Bearer " + TOKEN, body), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest request(String event, String query, String authorization, String body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + server.port()
                        + WebhookServer.path(NS, event)
                        + (query == null ? "" : "?" + query)))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return request.build();
  }

  static JsonNode json(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body());
  }

  static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }

  /** A fire as the fake workflow saw it. */
  record Recorded(String workflowId, String taskQueue, EventFireWorkflow.FireRequest request) {}

  /**
   * Test stand-in for the fire workflow: records each request and, after {@link #delay}, fails with
   * {@link #failure} when set, else answers every run with {@link #phase} (output {@code "answer of
   * <run>"} when Succeeded). It creates no ArkRuns.
   */
  public static class FakeFire implements EventFireWorkflow {
    static final Map<String, Recorded> FIRES = new ConcurrentHashMap<>();
    static final Queue<String> CANCELLED = new ConcurrentLinkedQueue<>();
    static volatile Duration delay;
    static volatile String phase;
    static volatile String failure;

    static void reset() {
      FIRES.clear();
      CANCELLED.clear();
      delay = Duration.ZERO;
      phase = Phases.SUCCEEDED;
      failure = null;
    }

    @Override
    public FireResult fire(FireRequest request) {
      FIRES.put(
          request.fireId(),
          new Recorded(
              Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getTaskQueue(), request));
      if (!delay.isZero()) {
        try {
          Workflow.sleep(delay);
        } catch (CanceledFailure e) {
          CANCELLED.add(request.fireId());
          throw e;
        }
      }
      if (failure != null) {
        throw ApplicationFailure.newNonRetryableFailure(failure, "InvalidTemplate");
      }
      List<String> runs = new ArrayList<>();
      Map<String, String> phases = new LinkedHashMap<>();
      Map<String, String> outputs = new LinkedHashMap<>();
      for (int i = 0; i < request.targets().size(); i++) {
        String run =
            EventFireWorkflow.runName(request.targets().get(i).team(), request.fireId(), i);
        runs.add(run);
        phases.put(run, phase);
        if (Phases.SUCCEEDED.equals(phase)) {
          outputs.put(run, "answer of " + run);
        }
      }
      return new FireResult("2025-01-01T00:00:00Z", runs, phases, outputs);
    }
  }
}
