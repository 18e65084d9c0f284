package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.io.InputStream;
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
  static KubernetesMockServer server;

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
            client,
            env.getWorkflowClient(),
            writer,
            Clock.systemUTC(),
            (r, reason, m) -> warnings.add(reason + ": " + m));
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.configMaps().inNamespace(NS).delete();
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

  /** The blog-writer team: the module's fixture here, the upstream recipe in the compat suite. */
  InputStream blogWriter() {
    return Fixtures.open("blog-writer-team.yaml");
  }

  private void applyBlogWriter() throws Exception {
    try (InputStream in = blogWriter()) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
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
  void theRunsMaxTokensAndTimeoutOverrideTheTeams() throws Exception {
    applyBlogWriter();
    startAgents(null, "researcher", "writer", "editor");
    ArkRun run =
        client
            .getKubernetesSerialization()
            .unmarshal(
                """
                apiVersion: arkonis.dev/v1alpha1
                kind: ArkRun
                metadata: {name: blog-tight}
                spec:
                  teamRef: {name: blog-writer-team}
                  input: {topic: Operators}
                  maxTokens: 1
                  timeoutSeconds: 900
                """,
                ArkRun.class);
    client.resources(ArkRun.class).inNamespace(NS).resource(run).create();

    reconciler.reconcile(NS, "blog-tight");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "BudgetExceeded".equals(status("blog-tight").path("phase").asText()));
    String started =
        env.getWorkflowClient()
            .fetchHistory("arkrun/ark-teams/blog-tight")
            .getHistory()
            .getEvents(0)
            .getWorkflowExecutionStartedEventAttributes()
            .getInput()
            .getPayloads(0)
            .getData()
            .toStringUtf8();
    assertThat(started).contains("\"timeoutSeconds\":900", "\"maxTokens\":1");
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
    await() // the workflow writes Cancelled into the status, then closes
        .untilAsserted(
            () ->
                assertThat(
                        env.getWorkflowClient()
                            .newUntypedWorkflowStub("arkrun/ark-teams/blog-3")
                            .describe()
                            .getStatus())
                    .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED));
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

  /** One writer role whose prompt is the {@code prompts/writer} ConfigMap key. */
  private static final String PROMPTED_TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata: {name: prompted}
      spec:
        inputs: [{name: topic, required: true}]
        roles:
          - name: writer
            model: mock
            systemPromptRef:
              configMapKeyRef: {name: prompts, key: writer}
        pipeline:
          - name: write
            role: writer
            inputs: {task: "Write about {{ .input.topic }}"}
      """;

  private void createPrompts() {
    client
        .configMaps()
        .inNamespace(NS)
        .resource(
            new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                .withNewMetadata()
                .withName("prompts")
                .endMetadata()
                .addToData("writer", "You write one short paragraph.")
                .build())
        .createOrReplace();
  }

  private void createPromptedRun(String name) {
    ArkRun run =
        client
            .getKubernetesSerialization()
            .unmarshal(
                "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata: {name: "
                    + name
                    + "}\nspec: {teamRef: {name: prompted}, input: {topic: ducks}}\n",
                ArkRun.class);
    client.resources(ArkRun.class).inNamespace(NS).resource(run).create();
  }

  private void applyPromptedTeam() {
    ArkTeam team = client.getKubernetesSerialization().unmarshal(PROMPTED_TEAM, ArkTeam.class);
    client.resources(ArkTeam.class).inNamespace(NS).resource(team).create();
  }

  private void startPromptedWriter() {
    env.newWorker(RunPlan.taskQueue(NS, "prompted-writer"))
        .registerActivitiesImplementations(
            new AgentActivitiesImpl(
                new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT)),
            new ToolActivitiesImpl(Map.of()));
    env.start();
  }

  @Test
  void aMissingPromptConfigMapFailsTheRunInsteadOfRunningWithoutAPrompt() {
    applyPromptedTeam();
    startPromptedWriter();
    createPromptedRun("no-prompt");

    reconciler.reconcile(NS, "no-prompt");

    JsonNode status = status("no-prompt");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText())
        .contains("ArkTeam/prompted role writer")
        .contains("systemPromptRef: ConfigMap prompts key writer not found")
        .contains("create it");
    assertThat(status.has("workflowId")).isFalse();
    assertThat(warnings)
        .singleElement()
        .satisfies(w -> assertThat(w).startsWith("RunFailed: ").contains("ConfigMap prompts"));
  }

  @Test
  void aRunWithItsPromptSucceedsWithoutWarnings() {
    createPrompts();
    applyPromptedTeam();
    startPromptedWriter();
    createPromptedRun("with-prompt");

    reconciler.reconcile(NS, "with-prompt");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("with-prompt").path("phase").asText()));
    assertThat(warnings).isEmpty();
  }

  @Test
  void aRunCreatedBeforeItsTeamLosesTheWaitingMessageAndReportsItsGeneration() {
    createPrompts();
    startPromptedWriter();
    createPromptedRun("early");
    reconciler.reconcile(NS, "early");
    assertThat(status("early").path("message").asText()).contains("ArkTeam prompted not found");

    applyPromptedTeam();
    reconciler.reconcile(NS, "early");

    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("early").path("phase").asText()));
    JsonNode status = status("early");
    assertThat(status.has("message")).as("stale message: %s", status.path("message")).isFalse();
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName("early").get();
    assertThat(run.getMetadata().getGeneration()).isPositive();
    JsonNode succeeded = dev.arkonis.ark.bridge.status.Conditions.find(status, "Succeeded");
    assertThat(succeeded.path("status").asText()).isEqualTo("True");
    assertThat(succeeded.path("observedGeneration").asLong())
        .isEqualTo(run.getMetadata().getGeneration());
  }

  @Test
  void aForbiddenFinalizerPatchIsAWarningAndTheRunsMessage() {
    applyPromptedTeam();
    createPromptedRun("locked");
    server
        .expect()
        .patch()
        .withPath("/apis/arkonis.dev/v1alpha1/namespaces/" + NS + "/arkruns/locked")
        .andReturn(
            403,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Forbidden")
                .withCode(403)
                .withMessage(
                    "arkruns.arkonis.dev \"locked\" is forbidden: User"
                        + " \"system:serviceaccount:ark-system:ark-operator\" cannot patch resource")
                .build())
        .once();

    assertThatThrownBy(() -> reconciler.reconcile(NS, "locked"))
        .isInstanceOf(ReportedException.class);

    assertThat(warnings)
        .singleElement()
        .satisfies(
            w ->
                assertThat(w)
                    .startsWith("Forbidden: cannot add finalizer arkonis.dev/cancel-run")
                    .contains("ArkRun " + NS + "/locked")
                    .contains("cannot patch resource")
                    .contains("deploy/rbac/contract.txt"));
    assertThat(status("locked").path("message").asText()).contains("is forbidden");
    assertThat(status("locked").has("workflowId")).isFalse();
  }
}
