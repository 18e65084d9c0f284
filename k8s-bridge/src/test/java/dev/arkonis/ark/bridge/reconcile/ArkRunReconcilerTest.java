package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class ArkRunReconcilerTest {
  static final String NS = "ark-teams";
  static KubernetesClient client;

  private TestWorkflowEnvironment env;
  private ArkRunReconciler reconciler;
  private final List<String> warnings = new ArrayList<>();
  private Duration latency = Duration.ZERO;

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    StatusWriter writer = new StatusWriter(client);
    Worker orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(
        new RunStatusActivitiesImpl(writer, Clock.systemUTC()));
    reconciler =
        new ArkRunReconciler(
            client, env.getWorkflowClient(), writer, Clock.systemUTC(), (r, m) -> warnings.add(m));
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
  }

  private void startAgents(RunPlan plan, String... roles) {
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(
            new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT.withLatency(latency)));
    ToolActivitiesImpl tools = new ToolActivitiesImpl(Map.of());
    for (String role : roles) {
      env.newWorker(RunPlan.taskQueue(NS, "blog-writer-team-" + role))
          .registerActivitiesImplementations(chat, tools);
    }
    env.start();
  }

  private void applyBlogWriter() throws Exception {
    Path file = sharedDir().resolve("upstream-examples/blog-writer.yaml");
    client.load(Files.newInputStream(file)).inNamespace(NS).createOrReplace();
  }

  static Path sharedDir() {
    String configured = System.getenv("ARK_TEST_SHARED_DIR");
    return configured != null
        ? Path.of(configured)
        : Path.of("").toAbsolutePath().getParent().resolveSibling("shared");
  }

  private ArkRun createRun(String name, String inputJson, String retryOf) {
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef:\n    name: blog-writer-team\n"
            + (inputJson == null ? "" : "  input: " + inputJson + "\n")
            + (retryOf == null ? "" : "  retryOf: " + retryOf + "\n");
    ArkRun run = client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class);
    return client.resources(ArkRun.class).inNamespace(NS).resource(run).create();
  }

  private JsonNode status(String name) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    return run == null
        ? null
        : client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }

  private static JsonNode step(JsonNode status, String name) {
    for (JsonNode s : status.path("steps")) {
      if (s.path("name").asText().equals(name)) {
        return s;
      }
    }
    throw new AssertionError("no step " + name);
  }

  @Test
  void runStartsOneWorkflowAndItsStatusReachesTheArkRun() throws Exception {
    applyBlogWriter();
    startAgents(null, "researcher", "writer", "editor");
    createRun("blog-1", "{topic: Operators}", null);

    reconciler.reconcile(NS, "blog-1");
    reconciler.reconcile(NS, "blog-1"); // a re-reconcile starts nothing new

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("blog-1").path("phase").asText()));
    JsonNode status = status("blog-1");
    assertThat(status.path("workflowId").asText()).isEqualTo("arkrun/ark-teams/blog-1");
    assertThat(status.path("steps")).hasSize(3);
    assertThat(step(status, "researcher").path("outputJSON").path("keyPoints")).hasSize(3);
    assertThat(status.path("totalTokenUsage").path("totalTokens").asLong()).isPositive();
    assertThat(status.path("conditions").get(0).path("type").asText()).isEqualTo("Succeeded");
    assertThat(status.path("conditions").get(0).path("status").asText()).isEqualTo("True");
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName("blog-1").get();
    assertThat(run.getMetadata().getFinalizers()).contains(ArkRunReconciler.FINALIZER);
    assertThat(run.getMetadata().getLabels()).containsEntry("arkonis.dev/team", "blog-writer-team");

    // an operator restart reconciles again: still one execution
    String runId = status.path("workflowRunId").asText();
    reconciler.reconcile(NS, "blog-1");
    assertThat(
            env.getWorkflowClient()
                .newUntypedWorkflowStub("arkrun/ark-teams/blog-1")
                .describe()
                .getExecution()
                .getRunId())
        .isEqualTo(runId);
  }

  @Test
  void missingRequiredInputFailsTheRunAndStartsNothing() throws Exception {
    applyBlogWriter();
    startAgents(null, "researcher", "writer", "editor");
    createRun("blog-2", null, null);

    reconciler.reconcile(NS, "blog-2");

    JsonNode status = status("blog-2");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText()).contains("missing required input \"topic\"");
    assertThat(status.has("workflowId")).isFalse();
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("topic"));
  }

  @Test
  void aRunOfATeamWithAnEmptyPipelineFailsAtOnceAndStartsNothing() {
    ArkTeam team =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkTeam
                metadata: {name: blog-writer-team}
                spec:
                  roles: [{name: writer, model: gpt-4o}]
                  pipeline: []
                """,
                ArkTeam.class);
    client.resources(ArkTeam.class).inNamespace(NS).resource(team).create();
    createRun("empty-1", null, null);

    reconciler.reconcile(NS, "empty-1");

    JsonNode status = status("empty-1");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText())
        .contains("ArkTeam blog-writer-team is invalid: spec.pipeline: pipeline has no steps");
    assertThat(status.has("workflowId")).isFalse();
  }

  @Test
  void unknownTeamLeavesTheRunPending() {
    createRun("orphan", "{topic: x}", null);

    reconciler.reconcile(NS, "orphan");

    assertThat(status("orphan").path("phase").asText()).isEqualTo("Pending");
    assertThat(status("orphan").path("message").asText())
        .contains("ArkTeam blog-writer-team not found");
  }

  @Test
  void deletingARunningRunCancelsItsWorkflow() throws Exception {
    latency = Duration.ofSeconds(3);
    applyBlogWriter();
    startAgents(null, "researcher", "writer", "editor");
    createRun("blog-3", "{topic: Slow}", null);
    reconciler.reconcile(NS, "blog-3");
    await().until(() -> "Running".equals(status("blog-3").path("phase").asText()));

    client.resources(ArkRun.class).inNamespace(NS).withName("blog-3").delete();
    // finalizer: cancel the workflow; "try again later" until it has closed
    assertThatThrownBy(() -> reconciler.reconcile(NS, "blog-3"))
        .hasMessageContaining("waiting for workflow arkrun/ark-teams/blog-3");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Cancelled".equals(status("blog-3").path("phase").asText()));
    assertThat(
            env.getWorkflowClient()
                .newUntypedWorkflowStub("arkrun/ark-teams/blog-3")
                .describe()
                .getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
    reconciler.reconcile(NS, "blog-3"); // the run recorded Cancelled: the finalizer lets go
    await().until(() -> status("blog-3") == null);
  }

  @Test
  void retryOfReusesTheSucceededStepsBeforeFromStep() throws Exception {
    applyBlogWriter();
    startAgents(null, "researcher", "writer", "editor");
    createRun("blog-4", "{topic: Retry}", null);
    reconciler.reconcile(NS, "blog-4");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("blog-4").path("phase").asText()));

    createRun("blog-5", "{topic: Retry}", "{run: blog-4, fromStep: writer}");
    reconciler.reconcile(NS, "blog-5");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("blog-5").path("phase").asText()));

    JsonNode retried = status("blog-5");
    assertThat(step(retried, "researcher").path("message").asText())
        .isEqualTo("reused from the retried run");
    assertThat(step(retried, "researcher").path("attempts").asInt()).isZero();
    assertThat(step(retried, "writer").path("attempts").asInt()).isEqualTo(1);
    assertThat(step(retried, "editor").path("attempts").asInt()).isEqualTo(1);
    assertThat(step(retried, "researcher").path("output").asText())
        .isEqualTo(step(status("blog-4"), "researcher").path("output").asText());
  }
}
