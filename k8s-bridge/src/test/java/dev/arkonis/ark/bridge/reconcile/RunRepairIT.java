package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.bridge.DevServer;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A run whose workflow is terminated with the Temporal client API (as from the Web UI or {@code
 * temporal workflow terminate}) on a real Temporal dev server ({@code ARK_TEST_TEMPORAL_ADDRESS},
 * set by {@code scripts/test}): the workflow writes nothing more, and the reconciler's next pass
 * (operator start, periodic resync) sets the ArkRun {@code Failed} with the termination reason.
 */
@EnableKubernetesMockClient(crud = true)
class RunRepairIT {
  static KubernetesClient client;

  private WorkflowServiceStubs service;
  private WorkflowClient temporal;
  private WorkerFactory workers;
  private String ns;

  @BeforeEach
  void setUp() throws Exception {
    service = DevServer.stubs();
    temporal = DevServer.client(service);
    ns = "repair-" + UUID.randomUUID().toString().substring(0, 8);
    CrdCatalog.install(client);
    try (InputStream in = Fixtures.open("blog-writer-team.yaml")) {
      client.load(in).inNamespace(ns).createOrReplace();
    }
  }

  @AfterEach
  void tearDown() {
    if (workers != null) {
      workers.shutdownNow();
      workers.awaitTermination(10, TimeUnit.SECONDS);
    }
    if (service != null) {
      service.shutdown();
    }
  }

  @Test
  void aRunWhoseWorkflowIsTerminatedGoesFailedWithTheReason() {
    StatusWriter writer = new StatusWriter(client);
    workers = WorkerFactory.newInstance(temporal);
    workers
        .newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    workers
        .getWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerActivitiesImplementations(new RunStatusActivitiesImpl(writer, Clock.systemUTC()));
    AgentActivitiesImpl slow =
        new AgentActivitiesImpl(
            new ModelFactory(
                Map.of(),
                "mock",
                MockChatModel.Options.DEFAULT.withLatency(Duration.ofSeconds(30))));
    for (String role : new String[] {"researcher", "writer", "editor"}) {
      workers
          .newWorker(RunPlan.taskQueue(ns, "blog-writer-team-" + role))
          .registerActivitiesImplementations(slow);
    }
    workers.start();
    ArkRunReconciler reconciler =
        new ArkRunReconciler(client, temporal, writer, Clock.systemUTC(), (r, reason, m) -> {});
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: doomed\n"
            + "spec:\n  teamRef:\n    name: blog-writer-team\n  input: {topic: Termination}\n";
    client
        .resources(ArkRun.class)
        .inNamespace(ns)
        .resource(client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class))
        .create();
    reconciler.reconcile(ns, "doomed");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "Running".equals(status().path("phase").asText()));

    String workflowId = RunPlan.workflowId(ns, "doomed");
    temporal.newUntypedWorkflowStub(workflowId).terminate("operator gave up on it");
    assertThat(temporal.newUntypedWorkflowStub(workflowId).describe().getStatus())
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_TERMINATED);
    assertThat(status().path("phase").asText()).isEqualTo("Running"); // nobody wrote it

    reconciler.reconcile(ns, "doomed");

    JsonNode status = status();
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("message").asText())
        .isEqualTo("workflow terminated: operator gave up on it");
    assertThat(status.path("completionTime").asText()).isNotEmpty();
    // a late write of the old state (an operator restart's start patch) leaves it Failed
    reconciler.reconcile(ns, "doomed");
    assertThat(status().path("phase").asText()).isEqualTo("Failed");
  }

  private JsonNode status() {
    ArkRun run = client.resources(ArkRun.class).inNamespace(ns).withName("doomed").get();
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }
}
