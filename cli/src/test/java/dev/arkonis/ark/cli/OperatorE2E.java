package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole system: a mock Kubernetes API server, the real Temporal dev server, the operator
 * (bridge + orchestration worker) and an agent worker in a separate process. An ArkRun moves
 * Pending → Running → Succeeded; killing the agent worker mid-step and starting it again still
 * succeeds without re-running a succeeded step; restarting the operator starts no second workflow.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorE2E {
  static final String NS = "e2e";
  static KubernetesClient client;

  private WorkflowServiceStubs stubs;
  private WorkflowClient temporal;
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private Process agent;

  static String temporalAddress() {
    String address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    assertThat(address)
        .as("ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test")
        .isNotBlank();
    return address;
  }

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    stubs =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress()).build(),
            Duration.ofSeconds(10));
    temporal =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.destroyForcibly().waitFor();
    }
    for (AutoCloseable c : closeables) {
      c.close();
    }
    stubs.shutdownNow();
  }

  private OperatorRuntime startOperator() throws Exception {
    WorkerFactory factory = WorkerFactory.newInstance(temporal);
    OperatorRuntime runtime =
        new OperatorRuntime(
            client,
            temporal,
            factory,
            new OperatorRuntime.Settings(
                NS, temporalAddress(), "default", "ark:test", null, "e2e"));
    runtime.start();
    closeables.add(runtime);
    return runtime;
  }

  private Process startAgent() throws Exception {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.arkonis.ark.cli.Main");
    command.add("agent");
    for (String role : List.of("outliner", "writer", "editor")) {
      command.add("--task-queue");
      command.add("ark/" + NS + "/story-" + role);
    }
    command.addAll(
        List.of(
            "--temporal-address",
            temporalAddress(),
            "--port",
            "0",
            "--config-dir",
            "/nonexistent",
            "--mock-latency",
            "3s"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(new File("target/e2e-agent.log"));
    builder.environment().put("AGENT_PROVIDER", "mock");
    return builder.start();
  }

  private JsonNode status(String name) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }

  private static String stepPhase(JsonNode status, String step) {
    for (JsonNode s : status.path("steps")) {
      if (s.path("name").asText().equals(step)) {
        return s.path("phase").asText();
      }
    }
    return "";
  }

  @Test
  void runSurvivesAnAgentWorkerCrashAndAnOperatorRestart() throws Exception {
    client
        .load(getClass().getClassLoader().getResourceAsStream("e2e/story-team.yaml"))
        .inNamespace(NS)
        .createOrReplace();
    agent = startAgent();
    startOperator();
    String run = "story-" + Long.toString(System.nanoTime(), 36);
    client
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
                        + run
                        + "\n  namespace: "
                        + NS
                        + "\nspec:\n  teamRef: {name: story}\n"
                        + "  input: {topic: lighthouses}\n",
                    ArkRun.class))
        .create();

    List<String> phases = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              String phase = status(run).path("phase").asText("");
              if (!phase.isEmpty()
                  && (phases.isEmpty() || !phases.get(phases.size() - 1).equals(phase))) {
                phases.add(phase);
              }
              return "Running".equals(stepPhase(status(run), "writer"));
            });

    // the writer's call is in flight on the agent process: kill it, start a new one
    agent.destroyForcibly().waitFor();
    agent = startAgent();

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> "Succeeded".equals(status(run).path("phase").asText()));
    phases.add("Succeeded");
    JsonNode status = status(run);
    assertThat(phases).containsSubsequence("Running", "Succeeded");
    assertThat(phases.get(0)).isIn("Pending", "Running");
    assertThat(status.path("totalTokenUsage").path("totalTokens").asLong()).isPositive();
    assertThat(status.path("steps")).hasSize(3);

    // every step's chat activity was scheduled once; only the writer's needed a second attempt
    String workflowId = status.path("workflowId").asText();
    List<HistoryEvent> events = temporal.fetchHistory(workflowId).getEvents();
    Map<Long, String> chatByEvent = new HashMap<>();
    for (HistoryEvent e : events) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          && e.getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals("chat")) {
        chatByEvent.put(
            e.getEventId(), e.getActivityTaskScheduledEventAttributes().getTaskQueue().getName());
      }
    }
    assertThat(chatByEvent.values())
        .containsExactlyInAnyOrder(
            "ark/e2e/story-outliner", "ark/e2e/story-writer", "ark/e2e/story-editor");
    Map<String, Integer> attempts = new HashMap<>();
    for (HistoryEvent e : events) {
      if (e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED) {
        String queue =
            chatByEvent.get(e.getActivityTaskStartedEventAttributes().getScheduledEventId());
        if (queue != null) {
          attempts.put(queue, e.getActivityTaskStartedEventAttributes().getAttempt());
        }
      }
    }
    assertThat(attempts).containsEntry("ark/e2e/story-outliner", 1);
    assertThat(attempts.get("ark/e2e/story-writer")).isGreaterThanOrEqualTo(2);
    assertThat(attempts).containsEntry("ark/e2e/story-editor", 1);

    // an operator restart reconciles the run again: still one workflow execution
    String runId = status.path("workflowRunId").asText();
    for (AutoCloseable c : closeables) {
      c.close();
    }
    closeables.clear();
    OperatorRuntime restarted = startOperator();
    await().until(() -> restarted.notReady() == null);
    assertThat(temporal.newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId())
        .isEqualTo(runId);
    assertThat(status(run).path("workflowRunId").asText()).isEqualTo(runId);
    assertThat(status(run).path("phase").asText()).isEqualTo("Succeeded");
  }
}
