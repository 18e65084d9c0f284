package dev.arkonis.ark.bridge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.events.ArkEventReconciler;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.webhook.EventStore;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The RBAC the operator needs, taken from what it does: the real {@link OperatorRuntime} (leader
 * election, informer bridge, team/agent/run reconcilers, the orchestration worker's status writes)
 * runs against a CRUD mock API server through every path that talks to the API server, every
 * request its client sends is mapped to (apiGroup, resource[/subresource], verb) the way the API
 * server authorizes it, and the set must be exactly the checked-in contract: {@code
 * deploy/rbac/contract.txt} (the ClusterRole, or the Role in {@code watchNamespace}) and {@code
 * deploy/rbac/leader-election.txt} (the Role in the release namespace). The cli's {@code
 * RbacContractTest} checks that the Helm chart grants exactly those files. The observed set is
 * written to {@code target/rbac-observed.txt}.
 *
 * <p>Only the operator's requests count: it talks through its own client, told apart by its
 * User-Agent; what the test sets up and reads (CRDs, objects, what kubelets and users would do)
 * goes through another client.
 */
@EnableKubernetesMockClient(crud = true)
class RbacUsageTest {
  static final String NS = "ark-teams";
  static final String LEASE_NS = "ark-system";
  static final String IDENTITY = "ark-operator-0";
  static final String USER_AGENT = "ark-operator/rbac-usage-test";
  static final Duration WAIT = Duration.ofSeconds(30);

  /** Kept so the level sticks: the mock server logs every request at INFO. */
  private static final Logger MOCK_LOG = Logger.getLogger("io.fabric8.mockwebserver");

  /** The test's own client: setup, what users and kubelets do, and checks; not recorded. */
  KubernetesMockServer server;

  KubernetesClient client;

  @Test
  void theOperatorUsesExactlyTheRbacContract() throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    installCrds();
    TestWorkflowEnvironment env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    registerAgentWorkers(env);
    KubernetesClient operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build())
            .build();
    OperatorRuntime runtime =
        new OperatorRuntime(
            operatorClient,
            env.getWorkflowClient(),
            env.getWorkerFactory(),
            new OperatorRuntime.Settings(
                null,
                "temporal:7233",
                "default",
                "ghcr.io/arkonis-dev/ark:test",
                LEASE_NS,
                IDENTITY));
    try {
      runtime.start();
      String acquired = leaderElection();
      references();
      teamCreated();
      repeatedTransitionsBumpTheirEvent();
      runs();
      events(operatorClient, env.getWorkflowClient());
      teamAndAgentChanges();
      await().atMost(WAIT).until(() -> !renewTime().equals(acquired)); // the leader renews
    } finally {
      runtime.close(); // gives the Lease up
      env.close();
      operatorClient.close();
    }

    Set<Permission> observed = observed();
    Files.writeString(
        Path.of("target/rbac-observed.txt"),
        observed.stream().map(Permission::toString).collect(Collectors.joining("\n", "", "\n")));

    assertThat(observed)
        .isNotEmpty()
        .contains(
            Permission.parse("arkonis.dev arkteams list"),
            Permission.parse("arkonis.dev arkteams watch"),
            Permission.parse("arkonis.dev arkagents create"),
            Permission.parse("arkonis.dev arkruns/status update"),
            Permission.parse("apps deployments create"),
            Permission.parse("core configmaps create"),
            Permission.parse("core events create"),
            Permission.parse("core events patch"),
            Permission.parse("arkonis.dev arkevents watch"),
            Permission.parse("arkonis.dev arkevents/status update"),
            Permission.parse("arkonis.dev arkruns create"),
            Permission.parse("core secrets create"),
            Permission.parse("coordination.k8s.io leases get"));
    Set<Permission> leases =
        observed.stream()
            .filter(p -> p.resource().equals("leases"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<Permission> operator = new TreeSet<>(observed);
    operator.removeAll(leases);
    assertExactly(operator, "contract.txt");
    assertExactly(leases, "leader-election.txt");
  }

  /**
   * Events are created once and patched on repeats, never read or replaced; an Event recorded by an
   * earlier leader (this recorder does not know it) is patched too, and its count goes on.
   */
  @Test
  void eventsAreCreatedThenPatched() throws Exception {
    MOCK_LOG.setLevel(Level.WARNING);
    installCrds();
    ArkTeam team =
        apply(
            ArkTeam.class,
            "apiVersion: arkonis.dev/v1alpha1\nkind: ArkTeam\nmetadata: {name: t}\nspec: {}\n");
    drain();
    KubernetesClient operatorClient =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT).build())
            .build();
    try {
      EventRecorder recorder = new EventRecorder(operatorClient, "ark-operator", Clock.systemUTC());
      recorder.warning(team, "InvalidSpec", "broken");
      recorder.warning(team, "InvalidSpec", "broken");
      // a new leader records the same Event again
      new EventRecorder(operatorClient, "ark-operator", Clock.systemUTC())
          .warning(team, "InvalidSpec", "broken");
      recorder.normal(team, "AgentsReady", "ready");
    } finally {
      operatorClient.close();
    }

    List<Event> events = client.v1().events().inNamespace(NS).list().getItems();
    assertThat(events)
        .extracting(Event::getReason, Event::getCount)
        .containsExactlyInAnyOrder(tuple("InvalidSpec", 3), tuple("AgentsReady", 1));
    assertThat(observed())
        .containsExactlyInAnyOrder(
            Permission.parse("core events create"), Permission.parse("core events patch"));
  }

  // ---------------------------------------------------------------------------------------------
  // Scenarios

  /** The replica takes the Lease, then starts the bridge; returns the Lease's renew time. */
  private String leaderElection() {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Lease lease = lease();
              assertThat(lease).isNotNull();
              assertThat(lease.getSpec().getHolderIdentity()).isEqualTo(IDENTITY);
            });
    return renewTime();
  }

  /** What roles refer to: a prompt ConfigMap and Secret, ArkSettings, a standalone ArkAgent. */
  private void references() {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("prompts")
                .endMetadata()
                .addToData("writer", "Write well.")
                .build())
        .create();
    client
        .secrets()
        .inNamespace(NS)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("prompt-secret")
                .endMetadata()
                .addToData(
                    "reviewer",
                    Base64.getEncoder()
                        .encodeToString("Review carefully.".getBytes(StandardCharsets.UTF_8)))
                .build())
        .create();
    apply(
        ArkSettings.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkSettings
        metadata: {name: house-style}
        spec: {temperature: "0.2", promptFragments: {persona: You are terse.}}
        """);
    apply(
        ArkAgent.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata: {name: shared-helper}
        spec: {model: gpt-4o}
        """);
  }

  /** A team: managed agents, their ConfigMaps and Deployments, status, then Ready. */
  private void teamCreated() {
    apply(ArkTeam.class, CREW);
    List<String> agents = List.of("crew-lead", "crew-writer", "crew-reviewer", "shared-helper");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode ready = condition(status(ArkTeam.class, "crew"), "Ready");
              assertThat(ready.path("reason").asText()).isEqualTo("AgentsNotReady");
              for (String agent : agents) {
                assertThat(client.apps().deployments().inNamespace(NS).withName(agent).get())
                    .as(agent)
                    .isNotNull();
              }
            });
    for (String agent : agents) {
      setReady(agent, 1);
    }
    awaitPhase(ArkTeam.class, "crew", "Ready");
  }

  /**
   * An agent loses its ready replica and gets it back: the same Normal event (and the team's) is
   * recorded again, which bumps the existing Event.
   */
  private void repeatedTransitionsBumpTheirEvent() {
    awaitReady("shared-helper", "True");
    setReady("shared-helper", 0);
    awaitReady("shared-helper", "False");
    awaitPhase(ArkTeam.class, "crew", "Pending");
    setReady("shared-helper", 1);
    awaitReady("shared-helper", "True");
    awaitPhase(ArkTeam.class, "crew", "Ready");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(NS).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("shared-helper");
                          assertThat(e.getReason()).isEqualTo("ReplicasReady");
                          assertThat(e.getCount()).isEqualTo(2);
                        }));
  }

  /**
   * Runs start, write their status from the workflow, are pruned by the history limit (their
   * finalizer then lets go), retry a run, fail on a missing input, wait for a missing team, and a
   * deleted running run is cancelled.
   */
  private void runs() {
    createRun("r1", "crew", "{topic: RBAC}", null);
    awaitPhase(ArkRun.class, "r1", "Succeeded");
    createRun("r2", "crew", "{topic: RBAC}", null);
    awaitPhase(ArkRun.class, "r2", "Succeeded");
    awaitGone(ArkRun.class, "r1"); // successfulRunsHistoryLimit: 1
    createRun("r3", "crew", "{topic: RBAC}", "{run: r2, fromStep: writer}");
    awaitPhase(ArkRun.class, "r3", "Succeeded");
    assertThat(status(ArkRun.class, "r3").path("steps").get(0).path("message").asText())
        .isEqualTo("reused from the retried run");
    awaitGone(ArkRun.class, "r2");

    createRun("no-input", "crew", null, null);
    awaitPhase(ArkRun.class, "no-input", "Failed");
    createRun("no-team", "nobody", "{topic: x}", null);
    await()
        .atMost(WAIT)
        .until(
            () ->
                status(ArkRun.class, "no-team")
                    .path("message")
                    .asText()
                    .contains("ArkTeam nobody not found"));

    apply(ArkTeam.class, SLOWPOKE);
    createRun("slow", "slowpoke", null, null);
    awaitPhase(ArkRun.class, "slow", "Running");
    client.resources(ArkRun.class).inNamespace(NS).withName("slow").delete();
    // The workflow is cancelled and writes Cancelled; the reconcile that write triggers can still
    // find the workflow running (it completes just after the write) and then leaves the finalizer
    // to the informer's resync. Touching the run stands in for that resync.
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              ArkRun slow = client.resources(ArkRun.class).inNamespace(NS).withName("slow").get();
              if (slow != null) {
                touch(slow);
              }
              assertThat(slow).as(() -> "ArkRun slow is still there; " + describe()).isNull();
            });
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
  private void events(KubernetesClient operatorClient, WorkflowClient temporal) throws Exception {
    apply(
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
    awaitGone(ArkEvent.class, "nightly");

    apply(
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
    createRun("source", "crew", "{topic: events}", null);
    awaitPhase(ArkRun.class, "source", "Succeeded");
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
    awaitGone(ArkEvent.class, "after-crew");

    apply(
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
    try (WebhookServer webhooks =
        new WebhookServer(
            EventStore.of(operatorClient, null), temporal, 0, WebhookServer.Limits.DEFAULT)) {
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
      awaitPhase(ArkRun.class, firstRun, "Running");
      HttpResponse<String> second = post(http, URI.create(uri + "?mode=sync&timeout=60s"), token);
      assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
      ArkRun replaced = client.resources(ArkRun.class).inNamespace(NS).withName(firstRun).get();
      assertThat(replaced == null || replaced.getMetadata().getDeletionTimestamp() != null)
          .as("ArkRun %s replaced (deleted) by the second fire", firstRun)
          .isTrue();
      awaitFiredCount("hook", 2);
    }
    client.resources(ArkEvent.class).inNamespace(NS).withName("hook").delete();
    awaitGone(ArkEvent.class, "hook");
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
                assertThat(condition(status(ArkEvent.class, name), "Ready").path("reason").asText())
                    .as("ArkEvent %s: %s", name, status(ArkEvent.class, name))
                    .isEqualTo(reason));
  }

  private void awaitFiredCount(String name, long count) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status(ArkEvent.class, name).path("firedCount").asLong())
                    .as("ArkEvent %s: %s", name, status(ArkEvent.class, name))
                    .isEqualTo(count));
  }

  /**
   * Spec, prompt and replica changes update the agents, ConfigMaps and Deployments; a removed role
   * loses its agent; an invalid team gets InvalidSpec; a Deployment name taken by someone else is a
   * conflict.
   */
  private void teamAndAgentChanges() {
    String leadHash = configHash("crew-lead");
    editTeam(
        "crew",
        t -> {
          t.getSpec().getRoles().get(0).setSystemPrompt("Plan the work, briefly.");
          return t;
        });
    await().atMost(WAIT).until(() -> !configHash("crew-lead").equals(leadHash));

    String writerHash = configHash("crew-writer");
    client
        .configMaps()
        .inNamespace(NS)
        .withName("prompts")
        .edit(c -> new ConfigMapBuilder(c).addToData("writer", "Write even better.").build());
    await().atMost(WAIT).until(() -> !configHash("crew-writer").equals(writerHash));

    client
        .resources(ArkAgent.class)
        .inNamespace(NS)
        .withName("shared-helper")
        .edit(
            a -> {
              a.getSpec().setReplicas(2);
              return a;
            });
    await().atMost(WAIT).until(() -> replicas("shared-helper") == 2);

    editTeam(
        "crew",
        t -> {
          t.getSpec().getRoles().removeIf(r -> r.getName().equals("reviewer"));
          t.getSpec().getPipeline().removeIf(s -> "reviewer".equals(s.getRole()));
          return t;
        });
    awaitGone(ArkAgent.class, "crew-reviewer");
    awaitPhase(ArkTeam.class, "crew", "Ready");

    apply(
        ArkTeam.class,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: broken}
        spec:
          entry: lead
          roles:
            - {name: lead, model: gpt-4o, canDelegate: [reviewer]}
        """);
    await()
        .atMost(WAIT)
        .until(() -> "Error".equals(status(ArkTeam.class, "broken").path("phase").asText()));

    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .resource(
            new DeploymentBuilder()
                .withNewMetadata()
                .withName("taken")
                .endMetadata()
                .withNewSpec()
                .withReplicas(1)
                .withNewSelector()
                .addToMatchLabels("app", "taken")
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .addToLabels("app", "taken")
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("app")
                .withImage("example.com/app:1")
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build())
        .create();
    apply(
        ArkAgent.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: taken}\n"
            + "spec: {model: gpt-4o}\n");
    await()
        .atMost(WAIT)
        .until(
            () ->
                "ResourceConflict"
                    .equals(
                        condition(status(ArkAgent.class, "taken"), "Ready")
                            .path("reason")
                            .asText()));
  }

  static final String CREW =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: crew}
      spec:
        successfulRunsHistoryLimit: 1
        inputs:
          - {name: topic, type: string, required: true}
        roles:
          - {name: lead, model: gpt-4o, systemPrompt: Plan the work.}
          - name: writer
            model: gpt-4o
            configRef: {name: house-style}
            systemPromptRef:
              configMapKeyRef: {name: prompts, key: writer}
          - name: reviewer
            model: gpt-4o
            systemPromptRef:
              secretKeyRef: {name: prompt-secret, key: reviewer}
          - {name: helper, arkAgent: shared-helper}
        pipeline:
          - role: lead
            inputs: {prompt: "Plan a post about {{ .input.topic }}."}
          - role: writer
            dependsOn: [lead]
            inputs: {prompt: "Write it: {{ .steps.lead.output }}"}
          - role: reviewer
            dependsOn: [writer]
            inputs: {prompt: "Review it: {{ .steps.writer.output }}"}
          - role: helper
            dependsOn: [writer]
            inputs: {prompt: "Summarise it: {{ .steps.writer.output }}"}
        output: "{{ .steps.helper.output }}"
      """;

  static final String SLOWPOKE =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: slowpoke}
      spec:
        roles:
          - {name: a, model: gpt-4o, replicas: 0}
        pipeline:
          - role: a
            inputs: {prompt: "Take your time."}
      """;

  private static void registerAgentWorkers(TestWorkflowEnvironment env) {
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    AgentActivitiesImpl fast =
        new AgentActivitiesImpl(new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT));
    for (String agent : List.of("crew-lead", "crew-writer", "crew-reviewer", "shared-helper")) {
      env.newWorker(RunPlan.taskQueue(NS, agent)).registerActivitiesImplementations(fast, tools);
    }
    AgentActivitiesImpl slow =
        new AgentActivitiesImpl(
            new ModelFactory(
                Map.of(),
                "mock",
                MockChatModel.Options.DEFAULT.withLatency(Duration.ofSeconds(3))));
    env.newWorker(RunPlan.taskQueue(NS, "slowpoke-a"))
        .registerActivitiesImplementations(slow, tools);
  }

  // ---------------------------------------------------------------------------------------------
  // Requests → permissions

  /** (apiGroup, resource[/subresource], verb); the core group is written {@code core}. */
  record Permission(String group, String resource, String verb) implements Comparable<Permission> {
    static Permission parse(String line) {
      String[] fields = line.trim().split("\\s+");
      if (fields.length != 3) {
        throw new IllegalArgumentException("not 'group resource verb': " + line);
      }
      return new Permission(fields[0], fields[1], fields[2]);
    }

    @Override
    public int compareTo(Permission o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return group + " " + resource + " " + verb;
    }
  }

  /**
   * The permission the API server checks for a request, as its RequestInfoResolver derives it;
   * empty for discovery and other non-resource URLs.
   */
  static Optional<Permission> permission(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    List<String> parts = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    List<String> rest;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "core";
      rest = parts.subList(2, parts.size());
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      rest = parts.subList(3, parts.size());
    } else {
      return Optional.empty(); // /api, /apis, /apis/<group>, /version, /openapi, ...
    }
    if (rest.isEmpty()) {
      return Optional.empty(); // /api/v1, /apis/<group>/<version>: discovery
    }
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      rest = rest.subList(2, rest.size()); // namespaced: drop namespaces/<ns>
    }
    String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
    boolean named = rest.size() >= 2;
    String verb =
        switch (method) {
          case "GET", "HEAD" -> named ? "get" : watch(uri.getRawQuery()) ? "watch" : "list";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> named ? "delete" : "deletecollection";
          default -> throw new IllegalArgumentException(method + " " + pathAndQuery);
        };
    return Optional.of(new Permission(group, resource, verb));
  }

  private static boolean watch(String query) {
    if (query == null) {
      return false;
    }
    return Arrays.stream(query.split("&"))
        .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
  }

  /**
   * The permissions of every request the operator's client sent; the requests themselves go to
   * {@code target/rbac-requests.txt} (which request needed which permission).
   */
  private Set<Permission> observed() throws InterruptedException, IOException {
    Set<Permission> observed = new TreeSet<>();
    Map<String, Integer> agents = new TreeMap<>();
    List<String> log = new ArrayList<>();
    for (RecordedRequest request : drain()) {
      String agent = String.valueOf(request.getHeader("User-Agent"));
      agents.merge(agent, 1, Integer::sum);
      if (agent.equals(USER_AGENT)) {
        Optional<Permission> permission = permission(request.getMethod(), request.getPath());
        permission.ifPresent(observed::add);
        log.add(
            request.getMethod()
                + " "
                + request.getPath()
                + " -> "
                + permission.map(Permission::toString).orElse("(not a resource)"));
      }
    }
    Files.write(Path.of("target/rbac-requests.txt"), log);
    assertThat(agents).as("requests by User-Agent").containsKey(USER_AGENT);
    return observed;
  }

  private List<RecordedRequest> drain() throws InterruptedException {
    List<RecordedRequest> requests = new ArrayList<>();
    for (RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS);
        r != null;
        r = server.takeRequest(200, TimeUnit.MILLISECONDS)) {
      requests.add(r);
    }
    return requests;
  }

  // ---------------------------------------------------------------------------------------------
  // The contract files

  private static void assertExactly(Set<Permission> observed, String file) throws IOException {
    Path path = repoRoot().resolve("deploy/rbac").resolve(file);
    Set<Permission> contract = contract(path);
    Set<Permission> missing = new TreeSet<>(observed);
    missing.removeAll(contract);
    Set<Permission> unused = new TreeSet<>(contract);
    unused.removeAll(observed);
    assertThat(missing)
        .as(
            "used by the operator but not in %s (add them, and a rule in templates/rbac.yaml)",
            path)
        .isEmpty();
    assertThat(unused)
        .as("in %s but never used by the operator (remove them from it and from rbac.yaml)", path)
        .isEmpty();
  }

  /** The lines {@code group resource verb} of a contract file; {@code #} starts a comment. */
  static Set<Permission> contract(Path file) throws IOException {
    Set<Permission> permissions = new TreeSet<>();
    for (String line : Files.readAllLines(file)) {
      String text = line.replaceFirst("#.*", "").trim();
      if (!text.isEmpty()) {
        permissions.add(Permission.parse(text));
      }
    }
    return permissions;
  }

  private static Path repoRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("deploy/rbac"))) {
        return dir;
      }
    }
    throw new IllegalStateException("no deploy/rbac above " + Path.of("").toAbsolutePath());
  }

  // ---------------------------------------------------------------------------------------------
  // The test's side of the cluster

  private void installCrds() {
    for (String kind : CrdCatalog.PLURALS.keySet()) {
      try (InputStream in =
          getClass().getClassLoader().getResourceAsStream(CrdCatalog.resource(kind))) {
        client
            .resource(
                client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class))
            .create();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private <T extends HasMetadata> T apply(Class<T> type, String yaml) {
    T object = client.getKubernetesSerialization().unmarshal(yaml, type);
    return client.resources(type).inNamespace(NS).resource(object).create();
  }

  private void createRun(String name, String team, String input, String retryOf) {
    apply(
        ArkRun.class,
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef: {name: "
            + team
            + "}\n"
            + (input == null ? "" : "  input: " + input + "\n")
            + (retryOf == null ? "" : "  retryOf: " + retryOf + "\n"));
  }

  /** A metadata-only change: the object's informer delivers an update, as a resync would. */
  private void touch(HasMetadata object) {
    try {
      client
          .resource(object)
          .inNamespace(NS)
          .edit(
              o -> {
                Map<String, String> annotations = new TreeMap<>();
                if (o.getMetadata().getAnnotations() != null) {
                  annotations.putAll(o.getMetadata().getAnnotations());
                }
                annotations.put("test.arkonis.dev/touched", Instant.now().toString());
                o.getMetadata().setAnnotations(annotations);
                return o;
              });
    } catch (KubernetesClientException e) {
      if (e.getCode() != 404) {
        throw e;
      }
    }
  }

  private void editTeam(String name, UnaryOperator<ArkTeam> edit) {
    client.resources(ArkTeam.class).inNamespace(NS).withName(name).edit(edit);
  }

  /** What the kubelet and the Deployment controller would report (the mock runs no pods). */
  private void setReady(String deployment, int ready) {
    client
        .apps()
        .deployments()
        .inNamespace(NS)
        .withName(deployment)
        .editStatus(
            d -> {
              d.setStatus(
                  new DeploymentStatusBuilder()
                      .withReplicas(d.getSpec().getReplicas())
                      .withReadyReplicas(ready)
                      .build());
              return d;
            });
  }

  private JsonNode status(Class<? extends HasMetadata> type, String name) {
    HasMetadata object = client.resources(type).inNamespace(NS).withName(name).get();
    return object == null
        ? MissingNode.getInstance()
        : client.getKubernetesSerialization().convertValue(object, JsonNode.class).path("status");
  }

  private static JsonNode condition(JsonNode status, String type) {
    for (JsonNode condition : status.path("conditions")) {
      if (type.equals(condition.path("type").asText())) {
        return condition;
      }
    }
    return MissingNode.getInstance();
  }

  private void awaitPhase(Class<? extends HasMetadata> type, String name, String phase) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(status(type, name).path("phase").asText())
                    .as("%s %s: %s", type.getSimpleName(), name, status(type, name))
                    .isEqualTo(phase));
  }

  private void awaitReady(String agent, String ready) {
    await()
        .atMost(WAIT)
        .until(
            () ->
                ready.equals(
                    condition(status(ArkAgent.class, agent), "Ready").path("status").asText()));
  }

  private void awaitGone(Class<? extends HasMetadata> type, String name) {
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(client.resources(type).inNamespace(NS).withName(name).get())
                    .as(() -> type.getSimpleName() + " " + name + " is still there; " + describe())
                    .isNull());
  }

  /** The teams, agents and runs with their status, for a failure message. */
  private String describe() {
    StringBuilder out = new StringBuilder();
    for (Class<? extends HasMetadata> type : List.of(ArkTeam.class, ArkAgent.class, ArkRun.class)) {
      for (HasMetadata o : client.resources(type).inNamespace(NS).list().getItems()) {
        out.append('\n')
            .append(type.getSimpleName())
            .append(' ')
            .append(o.getMetadata().getName())
            .append(": ")
            .append(status(type, o.getMetadata().getName()));
      }
    }
    return out.toString();
  }

  private String configHash(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    return d.getSpec().getTemplate().getMetadata().getAnnotations().get("arkonis.dev/config-hash");
  }

  private int replicas(String deployment) {
    Deployment d = client.apps().deployments().inNamespace(NS).withName(deployment).get();
    return d == null ? -1 : d.getSpec().getReplicas();
  }

  private Lease lease() {
    return client
        .resources(Lease.class)
        .inNamespace(LEASE_NS)
        .withName(OperatorRuntime.LEASE_NAME)
        .get();
  }

  private String renewTime() {
    Lease lease = lease();
    return lease == null || lease.getSpec().getRenewTime() == null
        ? ""
        : lease.getSpec().getRenewTime().toString();
  }
}
