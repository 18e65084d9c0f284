package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.activities.visibility.SearchAttributeSetup;
import dev.arkonis.ark.bridge.DevServer;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunSearchAttributes;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ResetWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs as the Temporal Web UI and CLI see them, on a real Temporal dev server ({@code
 * ARK_TEST_TEMPORAL_ADDRESS}, set by {@code scripts/test}; the in-process test server has neither
 * visibility queries nor reset): the search attributes find runs by team and phase, and a failed
 * run reset to before its failed step's call succeeds, its ArkRun following the new execution.
 *
 * <p>The Kubernetes side is fabric8's CRUD mock API server, as in {@link RunRepairIT}: what is
 * tested here is the reconciler's start and the status writes of the workflow (status subresource
 * merge patches, which the mock serves like a real API server); the real API server would add only
 * admission, RBAC and CEL, which {@code CrdCelIT} and {@code OperatorChartRbacIT} cover.
 */
@EnableKubernetesMockClient(crud = true)
class RunVisibilityIT {
  static KubernetesClient client;

  private static final String TEAM = "blog-writer-team";
  private static final String RESEARCH =
      "{\"keyPoints\": [\"one\", \"two\", \"three\"], \"tone\": \"calm\"}";

  private String address;
  private WorkflowServiceStubs service;
  private WorkflowClient temporal;
  private WorkerFactory workers;
  private ArkRunReconciler reconciler;
  private String ns;
  private final Map<String, Integer> callsPerStep = new ConcurrentHashMap<>();

  @BeforeEach
  void setUp() throws Exception {
    address = DevServer.address();
    service = DevServer.stubs();
    temporal = DevServer.client(service);
    List<String> warnings = new ArrayList<>();
    assertThat(SearchAttributeSetup.ensure(service, "default", warnings::add))
        .as("registering the search attributes: %s", warnings)
        .isTrue();
    SearchAttributeSetup.markAvailable(temporal, true);
    ns = "visibility-" + UUID.randomUUID().toString().substring(0, 8);
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

  /**
   * Workers for the orchestration queue and the team's agents; the model follows {@code script}.
   */
  private void startWorkers(List<ScriptedReply> script) {
    StatusWriter writer = new StatusWriter(client);
    workers = WorkerFactory.newInstance(temporal);
    workers
        .newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    workers
        .getWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerActivitiesImplementations(new RunStatusActivitiesImpl(writer, Clock.systemUTC()));
    AgentActivitiesImpl model =
        new AgentActivitiesImpl(
            new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT.withScript(script)));
    AgentActivities counted =
        request -> {
          callsPerStep.merge(request.step(), 1, Integer::sum);
          return model.chat(request);
        };
    for (String role : new String[] {"researcher", "writer", "editor"}) {
      workers
          .newWorker(RunPlan.taskQueue(ns, TEAM + "-" + role))
          .registerActivitiesImplementations(counted);
    }
    workers.start();
    reconciler =
        new ArkRunReconciler(client, temporal, writer, Clock.systemUTC(), (r, reason, m) -> {});
  }

  /** Creates the ArkRun, lets the reconciler start it and waits for its final phase. */
  private String runToEnd(String name) {
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: "
            + name
            + "\nspec:\n  teamRef:\n    name: "
            + TEAM
            + "\n  input: {topic: Visibility}\n";
    client
        .resources(ArkRun.class)
        .inNamespace(ns)
        .resource(client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class))
        .create();
    reconciler.reconcile(ns, name);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> List.of("Succeeded", "Failed").contains(status(name).path("phase").asText()));
    return status(name).path("phase").asText();
  }

  @Test
  void runsAreFoundByTeamAndPhaseWithTheTemporalCli() throws Exception {
    // the writer's call is refused (HTTP 400, not retried): the first run fails at its second step
    startWorkers(List.of(ScriptedReply.text(RESEARCH), ScriptedReply.error("invalid")));
    assertThat(runToEnd("bad")).isEqualTo("Failed");
    assertThat(runToEnd("good")).isEqualTo("Succeeded"); // the script is used up: the mock answers

    String failed = "ArkNamespace='" + ns + "' AND ArkTeam='" + TEAM + "' AND ArkPhase='Failed'";
    String succeeded =
        "ArkNamespace='" + ns + "' AND ArkTeam='" + TEAM + "' AND ArkPhase='Succeeded'";
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(ids(failed)).containsExactly(RunPlan.workflowId(ns, "bad"));
              assertThat(ids(succeeded)).containsExactly(RunPlan.workflowId(ns, "good"));
            });
    assertThat(ids("ArkNamespace='" + ns + "' AND ArkRun='good'"))
        .containsExactly(RunPlan.workflowId(ns, "good"));

    // the command the docs give, on the same server
    assertThat(temporalCliList(failed)).containsExactly(RunPlan.workflowId(ns, "bad"));
  }

  @Test
  void aFailedRunResetToBeforeItsFailedStepSucceedsWithoutRerunningTheFirstStep() {
    startWorkers(List.of(ScriptedReply.text(RESEARCH), ScriptedReply.error("invalid")));
    assertThat(runToEnd("reset-me")).isEqualTo("Failed");
    assertThat(status("reset-me").path("failedStep").asText()).isEqualTo("writer");
    assertThat(callsPerStep)
        .containsExactlyInAnyOrderEntriesOf(Map.of("researcher", 1, "writer", 1));
    String workflowId = RunPlan.workflowId(ns, "reset-me");
    String failedRunId = status("reset-me").path("workflowRunId").asText();

    // as `temporal workflow reset --event-id N`: N is the workflow task that scheduled the
    // writer's chat call; the model now answers (the script is used up)
    long resetPoint = workflowTaskThatScheduled(workflowId, failedRunId, "writer");
    String newRunId =
        service
            .blockingStub()
            .resetWorkflowExecution(
                ResetWorkflowExecutionRequest.newBuilder()
                    .setNamespace("default")
                    .setWorkflowExecution(
                        WorkflowExecution.newBuilder()
                            .setWorkflowId(workflowId)
                            .setRunId(failedRunId))
                    .setWorkflowTaskFinishEventId(resetPoint)
                    .setReason("the model is fixed")
                    .setRequestId(UUID.randomUUID().toString())
                    .build())
            .getRunId();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> "Succeeded".equals(status("reset-me").path("phase").asText()));
    JsonNode status = status("reset-me");
    assertThat(status.path("workflowRunId").asText()).isEqualTo(newRunId).isNotEqualTo(failedRunId);
    assertThat(status.path("message").asText()).doesNotContain("invalid");
    // the researcher's answer came from the kept history; only writer and editor called the model
    assertThat(callsPerStep)
        .containsExactlyInAnyOrderEntriesOf(Map.of("researcher", 1, "writer", 2, "editor", 1));
    // the workflow upserts ArkPhase after its last status write
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                "Succeeded"
                    .equals(
                        temporal
                            .newUntypedWorkflowStub(workflowId)
                            .describe()
                            .getTypedSearchAttributes()
                            .get(RunSearchAttributes.PHASE)));
  }

  private long workflowTaskThatScheduled(String workflowId, String runId, String step) {
    for (HistoryEvent event : temporal.fetchHistory(workflowId, runId).getEvents()) {
      if (event.getEventType() != EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
          || !event
              .getActivityTaskScheduledEventAttributes()
              .getActivityType()
              .getName()
              .equals("chat")) {
        continue;
      }
      ChatRequest request =
          DefaultDataConverter.STANDARD_INSTANCE.fromPayload(
              event.getActivityTaskScheduledEventAttributes().getInput().getPayloads(0),
              ChatRequest.class,
              ChatRequest.class);
      if (request.step().equals(step)) {
        return event.getActivityTaskScheduledEventAttributes().getWorkflowTaskCompletedEventId();
      }
    }
    return fail("no chat call of step " + step + " in the history of " + workflowId);
  }

  private List<String> ids(String query) {
    return temporal
        .listExecutions(query)
        .map(WorkflowExecutionMetadata::getExecution)
        .map(WorkflowExecution::getWorkflowId)
        .toList();
  }

  private List<String> temporalCliList(String query) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                "temporal",
                "workflow",
                "list",
                "--address",
                address,
                "--query",
                query,
                "-o",
                "json")
            .redirectErrorStream(true)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("temporal workflow list: %s", out).isZero();
    List<String> ids = new ArrayList<>();
    for (JsonNode execution : new ObjectMapper().readTree(out)) {
      ids.add(execution.path("execution").path("workflowId").asText());
    }
    return ids;
  }

  private JsonNode status(String name) {
    ArkRun run = client.resources(ArkRun.class).inNamespace(ns).withName(name).get();
    return client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
  }
}
