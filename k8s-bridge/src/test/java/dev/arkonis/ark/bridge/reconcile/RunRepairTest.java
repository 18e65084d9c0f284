package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.Conditions;
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
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ArkRun status repaired from the workflow's real state, and never moved out of a final phase. */
@EnableKubernetesMockClient(crud = true)
class RunRepairTest {
  static final String NS = "ark-repair";
  static KubernetesClient client;

  private static final ObjectMapper JSON = new ObjectMapper();

  private TestWorkflowEnvironment env;
  private StatusWriter writer;
  private ArkRunReconciler reconciler;

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    writer = new StatusWriter(client);
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    env.getWorkerFactory()
        .getWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerActivitiesImplementations(new RunStatusActivitiesImpl(writer, Clock.systemUTC()));
    reconciler =
        new ArkRunReconciler(
            client, env.getWorkflowClient(), writer, Clock.systemUTC(), (r, reason, m) -> {});
    try (InputStream in = Fixtures.open("blog-writer-team.yaml")) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
  }

  private void startAgents(Duration latency) {
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(
            new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT.withLatency(latency)));
    for (String role : new String[] {"researcher", "writer", "editor"}) {
      env.newWorker(RunPlan.taskQueue(NS, "blog-writer-team-" + role))
          .registerActivitiesImplementations(chat);
    }
    env.start();
  }

  private void createRun(String name) {
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef:\n    name: blog-writer-team\n  input: {topic: Repair}\n";
    ArkRun run = client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class);
    client.resources(ArkRun.class).inNamespace(NS).resource(run).create();
  }

  private JsonNode status(String name) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }

  /** Replaces the status directly, as a lost write or an older operator would have left it. */
  private void forceStatus(String name, ObjectNode status) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName(name).get();
    ObjectNode tree = client.getKubernetesSerialization().convertValue(run, ObjectNode.class);
    tree.set("status", status);
    client
        .resources(ArkRun.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().convertValue(tree, ArkRun.class))
        .updateStatus();
  }

  @Test
  void aTerminatedWorkflowFailsItsRunWithTheReason() {
    startAgents(Duration.ofSeconds(3));
    createRun("cut");
    reconciler.reconcile(NS, "cut");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Running".equals(status("cut").path("phase").asText()));

    env.getWorkflowClient()
        .newUntypedWorkflowStub(RunPlan.workflowId(NS, "cut"))
        .terminate("stuck on a dead provider");
    reconciler.reconcile(NS, "cut"); // what the operator's start and periodic resync do

    JsonNode status = status("cut");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText())
        .isEqualTo("workflow terminated: stuck on a dead provider");
    assertThat(status.path("completionTime").asText()).isNotEmpty();
    for (JsonNode step : status.path("steps")) {
      assertThat(step.path("phase").asText()).isIn("Succeeded", "Failed", "Skipped");
    }
    JsonNode succeeded = Conditions.find(status, Conditions.SUCCEEDED);
    assertThat(succeeded.path("status").asText()).isEqualTo("False");
    assertThat(succeeded.path("reason").asText()).isEqualTo("Failed");
  }

  @Test
  void aCompletedWorkflowWhoseLastWriteWasLostGetsItsResult() {
    startAgents(Duration.ZERO);
    createRun("lost");
    reconciler.reconcile(NS, "lost");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> "Succeeded".equals(status("lost").path("phase").asText()));
    env.getWorkflowClient()
        .newUntypedWorkflowStub(RunPlan.workflowId(NS, "lost"))
        .getResult(Object.class); // closed
    String output = status("lost").path("output").asText();
    ObjectNode stale = status("lost").deepCopy();
    stale.put("phase", "Running");
    stale.remove("output");
    stale.remove("completionTime");
    forceStatus("lost", stale);

    reconciler.reconcile(NS, "lost");

    assertThat(status("lost").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(status("lost").path("output").asText()).isEqualTo(output).isNotEmpty();
  }

  @Test
  void theStartPatchNeverOverwritesAPhaseTheWorkflowWrote() {
    ObjectNode finished = JSON.createObjectNode();
    finished.put("phase", "Succeeded").put("workflowRunId", "r1").put("startTime", "t0");

    ObjectNode patch = ArkRunReconciler.startedPatch(finished, "arkrun/ns/a", "r1", "t1");

    assertThat(patch.has("phase")).isFalse();
    assertThat(patch.has("message")).isFalse();
    assertThat(patch.has("startTime")).isFalse();
    ObjectNode running = JSON.createObjectNode().put("phase", "Running");
    assertThat(ArkRunReconciler.startedPatch(running, "w", "r1", "t1").has("phase")).isFalse();
    ObjectNode waiting = JSON.createObjectNode().put("phase", "Pending").put("message", "no team");
    ObjectNode started = ArkRunReconciler.startedPatch(waiting, "w", "r1", "t1");
    assertThat(started.path("phase").asText()).isEqualTo("Pending");
    assertThat(started.get("message").isNull()).isTrue();
    assertThat(started.path("workflowRunId").asText()).isEqualTo("r1");
    assertThat(started.path("startTime").asText()).isEqualTo("t1");
  }

  @Test
  void theStatusWriterKeepsAFinalPhaseExceptForANewExecution() {
    createRun("done");
    ObjectNode finished = JSON.createObjectNode();
    finished.put("phase", "Succeeded").put("workflowRunId", "run-1").put("output", "final");
    forceStatus("done", finished);

    // a late write of an older state of the same execution is dropped
    ObjectNode late = JSON.createObjectNode().put("phase", "Running");
    assertThat(writer.merge(ArkRun.class, NS, "done", late)).isFalse();
    ObjectNode pending =
        JSON.createObjectNode().put("phase", "Pending").put("workflowRunId", "run-1");
    assertThat(writer.merge(ArkRun.class, NS, "done", pending)).isFalse();
    assertThat(status("done").path("phase").asText()).isEqualTo("Succeeded");

    // a reset (Temporal Web UI) is a new execution of the workflow id: it starts over
    ObjectNode reset =
        JSON.createObjectNode().put("phase", "Running").put("workflowRunId", "run-2");
    assertThat(writer.merge(ArkRun.class, NS, "done", reset)).isTrue();
    assertThat(status("done").path("phase").asText()).isEqualTo("Running");
  }
}
