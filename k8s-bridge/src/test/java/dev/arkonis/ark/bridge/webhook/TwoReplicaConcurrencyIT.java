package dev.arkonis.ark.bridge.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.bridge.events.EventActivitiesImpl;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
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
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas in one JVM — each with its own API client, {@link WebhookCache}, Temporal
 * connection, orchestration worker and {@link WebhookServer} — against the rig's real API server
 * ({@code ARK_TEST_KUBECONFIG}) and a real Temporal dev server ({@code ARK_TEST_TEMPORAL_ADDRESS}),
 * hammered at once with webhook fires of one event: Forbid starts exactly one fire and one run,
 * Replace leaves exactly one fire running and cancels every older one with its runs. No ArkRun
 * reconciler runs, so the created runs stay active (no phase) for the whole test.
 */
class TwoReplicaConcurrencyIT {
  private static final String TOKEN = "tok-" + UUID.randomUUID();
  private static final int FIRES = 12;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<Replica> replicas = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private KubernetesClient admin;
  private WorkflowServiceStubs service;
  private WorkflowClient temporal;
  private String ns;

  /** One operator replica's webhook side. */
  private record Replica(
      KubernetesClient client,
      WebhookCache cache,
      WorkflowServiceStubs service,
      WorkerFactory workers,
      WebhookServer server) {
    void close() {
      server.close();
      workers.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
      cache.close();
      service.shutdownNow();
      client.close();
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    String kubeconfig = System.getenv("ARK_TEST_KUBECONFIG");
    if (kubeconfig == null || kubeconfig.isBlank()) {
      fail("ARK_TEST_KUBECONFIG is not set: run the tests with scripts/test");
    }
    String address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      fail("ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test");
    }
    String config = Files.readString(Path.of(kubeconfig));
    admin = client(config);
    CrdCatalog.install(admin);
    ns = "hostile-policy-" + UUID.randomUUID().toString().substring(0, 8);
    admin
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              admin.resources(ArkEvent.class).inNamespace(ns).list();
              admin.resources(ArkRun.class).inNamespace(ns).list();
              return true;
            });
    service = stubs(address);
    temporal = client(service);
    for (int i = 0; i < 2; i++) {
      replicas.add(replica(config, address));
    }
  }

  @AfterEach
  void tearDown() {
    if (temporal != null && ns != null) {
      for (String event : List.of("one-at-a-time", "latest-wins")) {
        try {
          temporal
              .newUntypedWorkflowStub(ConcurrencyGate.exclusiveId(ns, event))
              .terminate("test over");
        } catch (RuntimeException e) {
          // not running
        }
      }
    }
    replicas.forEach(Replica::close);
    if (admin != null && ns != null) {
      admin.namespaces().withName(ns).delete();
      admin.close();
    }
    if (service != null) {
      service.shutdownNow();
    }
  }

  @Test
  void forbidAcrossTwoReplicasStartsExactlyOneFire() throws Exception {
    event("one-at-a-time", "Forbid");

    List<HttpResponse<String>> answers = hammer("one-at-a-time");

    List<HttpResponse<String>> fired = withStatus(answers, 202);
    assertThat(fired).as(bodies(answers)).hasSize(1);
    assertThat(withStatus(answers, 409)).hasSize(FIRES - 1);
    List<String> runs = strings(JSON.readTree(fired.get(0).body()).path("runs"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> eventRuns("one-at-a-time").equals(Set.copyOf(runs)));
    Thread.sleep(2_000); // nothing else trickles in
    assertThat(eventRuns("one-at-a-time")).containsExactlyInAnyOrderElementsOf(runs);
    // still forbidden while that run is active, whichever replica is asked
    for (Replica replica : replicas) {
      assertThat(post(replica, "one-at-a-time").join().statusCode()).isEqualTo(409);
    }
  }

  @Test
  void replaceAcrossTwoReplicasLeavesOneFireAndCancelsEveryOlderOne() throws Exception {
    event("latest-wins", "Replace");
    String id = ConcurrencyGate.exclusiveId(ns, "latest-wins");

    List<HttpResponse<String>> answers = hammer("latest-wins");

    assertThat(withStatus(answers, 202)).as(bodies(answers)).hasSize(FIRES);
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              List<WorkflowExecutionMetadata> fires =
                  temporal.listExecutions("WorkflowId = '" + id + "'").toList();
              Map<WorkflowExecutionStatus, Long> byStatus =
                  fires.stream()
                      .collect(
                          Collectors.groupingBy(
                              WorkflowExecutionMetadata::getStatus, Collectors.counting()));
              assertThat(byStatus)
                  .containsEntry(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING, 1L)
                  .containsEntry(
                      WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED, (long) FIRES - 1)
                  .hasSize(2);
            });
    Object memo =
        temporal
            .newUntypedWorkflowStub(id)
            .describe()
            .getMemo(ConcurrencyGate.RUNS_MEMO, List.class);
    Set<String> survivor = new HashSet<>();
    ((List<?>) memo).forEach(n -> survivor.add(String.valueOf(n)));
    // only the surviving fire's run exists; every older fire's run was deleted
    await().atMost(Duration.ofSeconds(30)).until(() -> eventRuns("latest-wins").equals(survivor));
    Set<String> answered = new HashSet<>();
    for (HttpResponse<String> answer : answers) {
      answered.addAll(strings(JSON.readTree(answer.body()).path("runs")));
    }
    assertThat(answered).hasSize(FIRES).containsAll(survivor);
  }

  /** FIRES simultaneous fires, alternating between the replicas. */
  private List<HttpResponse<String>> hammer(String event) {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < FIRES; i++) {
      calls.add(post(replicas.get(i % 2), event));
    }
    return calls.stream().map(CompletableFuture::join).toList();
  }

  private CompletableFuture<HttpResponse<String>> post(Replica replica, String event) {
    return http.sendAsync(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + replica.server().port() + WebhookServer.path(ns, event)))
            .timeout(Duration.ofSeconds(90))
            .header("Authorization", "Bearer " + TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"hello\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private Set<String> eventRuns(String event) {
    return admin
        .resources(ArkRun.class)
        .inNamespace(ns)
        .withLabel(EventStore.EVENT_LABEL, event)
        .list()
        .getItems()
        .stream()
        .filter(r -> r.getMetadata().getDeletionTimestamp() == null)
        .map(r -> r.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private void event(String name, String policy) {
    String yaml =
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata: {name: %s}
        spec:
          source: {type: webhook}
          concurrencyPolicy: %s
          targets:
            - {team: support, input: {message: "{{ .trigger.body.message }}"}}
        """
            .formatted(name, policy);
    admin
        .resources(ArkEvent.class)
        .inNamespace(ns)
        .resource(admin.getKubernetesSerialization().unmarshal(yaml, ArkEvent.class))
        .create();
    admin
        .secrets()
        .inNamespace(ns)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(name + EventStore.TOKEN_SECRET_SUFFIX)
                .addToLabels(EventStore.EVENT_LABEL, name)
                .endMetadata()
                .addToData(
                    EventStore.TOKEN_KEY,
                    Base64.getEncoder().encodeToString(TOKEN.getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    for (Replica replica : replicas) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  replica.cache().notReady() == null
                      && replica.cache().event(ns, name) != null
                      && TOKEN.equals(replica.cache().token(ns, name)));
    }
  }

  private Replica replica(String config, String address) {
    KubernetesClient client = client(config);
    WebhookCache cache = WebhookCache.start(client, ns);
    WorkflowServiceStubs stubs = stubs(address);
    WorkflowClient replicaTemporal = client(stubs);
    WorkerFactory workers = WorkerFactory.newInstance(replicaTemporal);
    var worker = workers.newWorker(TeamRunWorkflow.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    worker.registerActivitiesImplementations(new EventActivitiesImpl(client));
    workers.start();
    WebhookServer server =
        new WebhookServer(cache, replicaTemporal, 0, WebhookServer.Limits.DEFAULT);
    return new Replica(client, cache, stubs, workers, server);
  }

  private static KubernetesClient client(String kubeconfig) {
    return new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  private static WorkflowServiceStubs stubs(String address) {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
  }

  private static WorkflowClient client(WorkflowServiceStubs stubs) {
    return WorkflowClient.newInstance(
        stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  private static List<HttpResponse<String>> withStatus(
      List<HttpResponse<String>> answers, int status) {
    return answers.stream().filter(a -> a.statusCode() == status).toList();
  }

  private static String bodies(List<HttpResponse<String>> answers) {
    return answers.stream()
        .map(a -> a.statusCode() + " " + a.body())
        .collect(Collectors.joining("\n"));
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
