package dev.arkonis.ark.workflows;

import static dev.arkonis.ark.workflows.RecordedPlans.agent;
import static dev.arkonis.ark.workflows.RecordedPlans.plan;
import static dev.arkonis.ark.workflows.RecordedPlans.step;

import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.CronEventWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.client.BatchRequest;
import io.temporal.client.UpdateOptions;
import io.temporal.client.WithStartWorkflowOperation;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateStage;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Records a history of every workflow type in {@link WorkflowTypes#ALL} on a real Temporal dev
 * server, into {@code src/test/resources/histories/<type>/}. The build only replays them ({@link
 * WorkflowHistoryReplayTest}); this runs on demand, when a change is meant to alter a workflow's
 * command sequence (behind a new {@code Workflow.getVersion} id; the old files stay):
 *
 * <pre>
 * temporal server start-dev --headless --port 7233 &amp;
 * ARK_TEST_TEMPORAL_ADDRESS=127.0.0.1:7233 mvn -B -pl workflows test \
 *   -Dtest=DevServerHistoryRecorder -Dark.recordHistories=true
 * </pre>
 *
 * The activities are scripted stand-ins (the histories are about the workflows' commands); each
 * scenario waits for its workflow to end, or terminates one that never ends by itself. Existing
 * files are kept: a new recording of a scenario is written next to them, dated.
 */
@EnabledIfSystemProperty(named = "ark.recordHistories", matches = "true")
class DevServerHistoryRecorder {
  static final Path HISTORIES = Path.of("src/test/resources/histories");
  private static final String NS = RecordedPlans.NS;
  private static final String ORCHESTRATOR = TeamRunWorkflow.TASK_QUEUE;

  private static WorkflowServiceStubs service;
  private static WorkflowClient client;
  private static WorkerFactory factory;
  private static final RecorderActivities.Scripted AGENTS = new RecorderActivities.Scripted();
  private static final RecorderActivities.Operator OPERATOR = new RecorderActivities.Operator();

  @BeforeAll
  static void connect() {
    String address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      throw new IllegalStateException(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: start a Temporal dev server (temporal server"
              + " start-dev) and export its address");
    }
    service =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    client =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    factory = WorkerFactory.newInstance(client);
    Worker orchestrator = factory.newWorker(ORCHESTRATOR);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(OPERATOR);
    for (String agent : List.of("researcher", "writer", "lead", "helper", "looper")) {
      factory.newWorker(RunPlan.taskQueue(NS, agent)).registerActivitiesImplementations(AGENTS);
    }
    factory.start();
  }

  @AfterAll
  static void close() {
    if (factory != null) {
      factory.shutdownNow();
      service.shutdownNow();
    }
  }

  @Test
  void teamRunPipelineWithToolCallsStatusWritesAndNotification() throws IOException {
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    agents.put("researcher", agent("researcher", List.of(), true));
    agents.put("writer", agent("writer", List.of(), false));
    List<StepSpec> steps =
        List.of(
            step("research", "researcher", List.of(), "find facts about {{ .input.topic }}"),
            step("write", "writer", List.of("research"), "write on {{ .steps.research.output }}"));
    RunPlan plan = plan("pipeline", agents, steps, null);
    String id = "arkrun/" + NS + "/pipeline";
    runTeam(id, plan);
    save("team-run/pipeline-tools-status-notify", id, null);
  }

  @Test
  void teamRunDelegatingToAnAgentTask() throws IOException {
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    agents.put("lead", agent("lead", List.of("helper"), false));
    agents.put("helper", agent("helper", List.of(), false));
    RunPlan plan = plan("delegation", agents, List.of(), "lead");
    String id = "arkrun/" + NS + "/delegation";
    runTeam(id, plan);
    save("team-run/delegation", id, null);
    save("agent-task/delegated", id + "/helper", null);
  }

  @Test
  void teamRunWithARoleThatRunsAnotherTeam() throws IOException {
    Map<String, AgentSpec> childAgents = new LinkedHashMap<>();
    childAgents.put("researcher", agent("researcher", List.of(), false));
    RunPlan child =
        new RunPlan(
            NS,
            null,
            "reviewers",
            Map.of(),
            Map.of(),
            childAgents,
            List.of(step("check", "researcher", List.of(), "check {{ .input.draft }}")),
            null,
            null,
            0,
            0,
            2,
            Map.of());
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    agents.put("writer", agent("writer", List.of(), false));
    List<StepSpec> steps =
        List.of(
            step("write", "writer", List.of(), "write on {{ .input.topic }}"),
            new StepSpec(
                "review",
                "review",
                List.of("write"),
                Map.of("draft", "{{ .steps.write.output }}"),
                null,
                null,
                null,
                null,
                0,
                -1));
    RunPlan plan =
        plan("team-role", agents, steps, null)
            .withTeams(
                Map.of("review", new RunPlan.ChildTeam("reviewers", child, List.of("draft"))));
    String id = "arkrun/" + NS + "/team-role";
    runTeam(id, plan);
    save("team-run/team-role", id, null);
    save("team-run/team-role-child", id + "/team/review", null);
  }

  @Test
  void teamRunWithALoopStepAsAStepTask() throws IOException {
    Map<String, AgentSpec> agents = Map.of("writer", agent("writer", List.of(), false));
    StepSpec loop =
        new StepSpec(
            "draft",
            "writer",
            List.of(),
            Map.of("prompt", "improve: {{ .steps.draft.output }}"),
            null,
            null,
            new StepSpec.Loop("{{ ne .steps.draft.output \"done\" }}", 3),
            null,
            0,
            -1);
    RunPlan plan = plan("looping", agents, List.of(loop), null);
    String id = "arkrun/" + NS + "/looping";
    runTeam(id, plan);
    save("team-run/loop-step-as-step-task", id, null);
    save("step-task/looped-three-times", id + "/step/draft", null);
  }

  @Test
  void teamRunWithManySemanticRetriesAsAStepTask() throws IOException {
    Map<String, AgentSpec> agents = Map.of("writer", agent("writer", List.of(), false));
    StepSpec essay =
        new StepSpec(
            "essay",
            "writer",
            List.of(),
            Map.of("prompt", "write about {{ .input.topic }}"),
            null,
            null,
            null,
            new StepSpec.Validation("Is it about otters?", "retry", 3),
            0,
            -1);
    RunPlan plan = plan("picky", agents, List.of(essay), null);
    String id = "arkrun/" + NS + "/picky";
    runTeam(id, plan);
    save("team-run/retry-step-as-step-task", id, null);
    save("step-task/rejected-once-then-valid", id + "/step/essay", null);
  }

  @Test
  void stepTaskContinuedAsNew() throws IOException {
    Map<String, AgentSpec> agents = Map.of("looper", agent("looper", List.of(), true));
    StepSpec loop =
        new StepSpec(
            "count",
            "looper",
            List.of(),
            Map.of("prompt", "count on from {{ .steps.count.output }}"),
            null,
            null,
            new StepSpec.Loop("{{ ne .steps.count.output \"done\" }}", 3),
            null,
            0,
            -1);
    String id = "arkrun/" + NS + "/long-step/step/count";
    StepTaskWorkflow task =
        client.newWorkflowStub(
            StepTaskWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    WorkflowExecution first =
        WorkflowClient.start(
            task::run,
            new StepTaskWorkflow.StepTaskInput(
                NS,
                "long-step",
                agents,
                loop,
                "count",
                Map.of(),
                Map.of(),
                List.of(),
                2,
                0,
                10,
                null,
                "team"));
    client.newUntypedWorkflowStub(id).getResult(StepTaskWorkflow.StepTaskResult.class);
    save("step-task/continued-as-new-first-run", id, first.getRunId());
    save("step-task/continued-as-new-last-run", id, null);
  }

  @Test
  void agentTaskContinuedAsNew() throws IOException {
    Map<String, AgentSpec> agents = Map.of("looper", agent("looper", List.of(), true));
    String id = "arkrun/" + NS + "/long-task/looper";
    AgentTaskWorkflow task =
        client.newWorkflowStub(
            AgentTaskWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    WorkflowExecution first =
        WorkflowClient.start(
            task::run,
            new AgentTaskWorkflow.AgentTaskInput(
                NS,
                "long-task",
                agents,
                "looper",
                "looper",
                "count to four",
                1,
                2,
                0,
                20,
                null,
                "team"));
    client.newUntypedWorkflowStub(id).getResult(AgentTaskWorkflow.AgentTaskResult.class);
    save("agent-task/continued-as-new-first-run", id, first.getRunId());
    save("agent-task/continued-as-new-last-run", id, null);
  }

  @Test
  void eventFireCreatingAndAwaitingRuns() throws IOException {
    String id = EventFireWorkflow.workflowId(NS, "nightly", "fire-1");
    EventFireWorkflow fire =
        client.newWorkflowStub(
            EventFireWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    fire.fire(
        new EventFireWorkflow.FireRequest(
            NS,
            "nightly",
            Map.of("body", Map.of("topic", "otters")),
            List.of(
                new EventFireWorkflow.Target("blog", Map.of("topic", "{{ .trigger.body.topic }}"))),
            true,
            "fire-1"));
    save("event-fire/created-and-awaited", id, null);
  }

  @Test
  void cronEventFiringTwiceThenSuspended() throws Exception {
    String id = "arkevent/" + NS + "/every-minute";
    CronEventWorkflow cron =
        client.newWorkflowStub(
            CronEventWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    CronEventWorkflow.CronSpec spec =
        new CronEventWorkflow.CronSpec(
            NS,
            "every-minute",
            "* * * * *",
            "UTC",
            "Forbid",
            false,
            List.of(new EventFireWorkflow.Target("blog", Map.of("topic", "cron"))));
    int before = OPERATOR.recordedFires.get();
    WorkflowClient.start(cron::run, spec);
    long until = System.currentTimeMillis() + 60_000;
    while (OPERATOR.recordedFires.get() < before + 2 && System.currentTimeMillis() < until) {
      Thread.sleep(200);
    }
    cron.update(
        new CronEventWorkflow.CronSpec(
            NS, "every-minute", "* * * * *", "UTC", "Forbid", true, spec.targets()));
    Thread.sleep(2000);
    saveAndTerminate("cron-event/fired-twice-then-suspended", id);
  }

  @Test
  void notifyDeliveringDedupingAndRateLimiting() throws Exception {
    String id = NotifyWorkflow.workflowId(NS, "alerts");
    for (String key : List.of("k1", "k1", "k2", "k3", "k4")) {
      WorkflowStub stub =
          client.newUntypedWorkflowStub(
              "NotifyWorkflow",
              WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
      stub.signalWithStart(
          "event",
          new Object[] {
            new NotifyWorkflow.Envelope(
                new NotifyActivities.Notification(
                    NS, "ArkTeam", "blog", "TeamFailed", key, "run-" + key, Map.of("step", "a")),
                300,
                2)
          },
          new Object[] {NotifyWorkflow.State.initial(NS, "alerts")});
    }
    Thread.sleep(8000); // deliveries and the debounced status write
    saveAndTerminate("notify/delivered-deduped-rate-limited", id);
  }

  @Test
  void budgetLedgerExceededAndFreed() throws Exception {
    String id = BudgetLedgerWorkflow.workflowId(NS, "writer");
    BudgetLedgerWorkflow.LedgerState start =
        BudgetLedgerWorkflow.LedgerState.start(NS, "writer", Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      BudgetLedgerWorkflow ledger = ledger(id);
      BudgetLedgerWorkflow.Grant grant =
          WorkflowClient.executeUpdateWithStart(
              ledger::reserve,
              new BudgetLedgerWorkflow.Reservation("call-" + i, 40, 50, 200, 60),
              UpdateOptions.<BudgetLedgerWorkflow.Grant>newBuilder()
                  .setWaitForStage(WorkflowUpdateStage.COMPLETED)
                  .build(),
              new WithStartWorkflowOperation<>(ledger::run, start));
      if (grant.granted()) {
        BudgetLedgerWorkflow commit = ledger(id);
        WorkflowClient.executeUpdateWithStart(
            commit::commit,
            new BudgetLedgerWorkflow.Spent("call-" + i, 40, 50),
            UpdateOptions.<Void>newBuilder().setWaitForStage(WorkflowUpdateStage.COMPLETED).build(),
            new WithStartWorkflowOperation<>(commit::run, start));
      }
    }
    Thread.sleep(15_000); // the window frees up again
    saveAndTerminate("budget-ledger/exceeded-and-freed", id);
  }

  @Test
  void agentHealthDegradedRecoveredAndDropped() throws Exception {
    String id = AgentHealthWorkflow.workflowId(NS, "writer");
    report(id, "writer-a", true, "HEALTHY");
    report(id, "writer-b", false, "NOT HEALTHY");
    Thread.sleep(1500);
    report(id, "writer-b", true, "HEALTHY");
    // both replicas fall silent: dropped after 3 intervals + 30 s, then the workflow ends
    client
        .newUntypedWorkflowStub(id)
        .getResult(40, java.util.concurrent.TimeUnit.SECONDS, Void.class);
    save("agent-health/degraded-recovered-dropped", id, null);
  }

  // ---------------------------------------------------------------------------------------------

  private static void report(String id, String replica, boolean healthy, String answer)
      throws InterruptedException {
    AgentHealthWorkflow workflow =
        client.newWorkflowStub(
            AgentHealthWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::watch, AgentHealthWorkflow.State.start(NS, "writer"));
    batch.add(
        workflow::report,
        new AgentHealthWorkflow.ProbeResult(NS, "writer", replica, healthy, answer, 1));
    client.signalWithStart(batch);
    Thread.sleep(1000);
  }

  private static BudgetLedgerWorkflow ledger(String id) {
    return client.newWorkflowStub(
        BudgetLedgerWorkflow.class,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(ORCHESTRATOR)
            .setWorkflowIdConflictPolicy(
                WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING)
            .build());
  }

  private static void runTeam(String id, RunPlan plan) {
    TeamRunWorkflow run =
        client.newWorkflowStub(
            TeamRunWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(ORCHESTRATOR).build());
    RunStatus status = run.run(plan);
    if (!"Succeeded".equals(status.phase())) {
      throw new IllegalStateException("run " + id + " ended " + status.phase() + ": " + status);
    }
  }

  /**
   * For a workflow that never ends by itself: its history so far (what a worker replays after a
   * restart; a terminated history does not replay), then it is terminated.
   */
  private static void saveAndTerminate(String name, String id) throws IOException {
    save(name, id, null);
    client.newUntypedWorkflowStub(id).terminate("recorded");
  }

  /**
   * Writes {@code histories/<name>.json}; a recorded file is never overwritten (it is what
   * workflows of its version look like): a new recording of the same scenario gets the date in its
   * name.
   */
  private static void save(String name, String id, String runId) throws IOException {
    Path file = HISTORIES.resolve(name + ".json");
    if (Files.exists(file)) {
      file =
          HISTORIES.resolve(
              name + "." + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + ".json");
    }
    Files.createDirectories(file.getParent());
    String json =
        runId == null
            ? client.fetchHistory(id).toJson(true)
            : client.fetchHistory(id, runId).toJson(true);
    Files.writeString(file, json);
  }
}
