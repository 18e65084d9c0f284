package dev.arkonis.ark.workflows.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.ProbeResult;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow.State;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The per-agent health aggregate, on the time-skipping test server. */
@Timeout(120)
class AgentHealthWorkflowTest {
  private static final String ID = AgentHealthWorkflow.workflowId("ns", "writer");

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setInitialTime(Instant.parse("2026-11-30T12:00:00Z"))
          .setDoNotStart(true)
          .build();

  /** Records the writes and notifications (the real ones: the bridge and ArkNotify). */
  static final class Recorder implements AgentHealthActivities, NotifyActivities {
    final List<HealthChange> changes = new CopyOnWriteArrayList<>();
    final List<Notification> notifications = new CopyOnWriteArrayList<>();

    @Override
    public void writeHealth(HealthChange change) {
      changes.add(change);
    }

    @Override
    public void notify(Notification notification) {
      notifications.add(notification);
    }
  }

  private final Recorder recorder = new Recorder();
  private TestWorkflowEnvironment env;

  @BeforeEach
  void start(TestWorkflowEnvironment env) {
    this.env = env;
    Worker orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(recorder);
    env.start();
  }

  /** What a replica does after each probe: signal-with-start. */
  private io.temporal.api.common.v1.WorkflowExecution report(
      String replica, boolean healthy, String answer) {
    WorkflowClient client = env.getWorkflowClient();
    AgentHealthWorkflow workflow =
        client.newWorkflowStub(
            AgentHealthWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(ID)
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .build());
    BatchRequest batch = client.newSignalWithStartRequest();
    batch.add(workflow::watch, State.start("ns", "writer"));
    batch.add(workflow::report, new ProbeResult("ns", "writer", replica, healthy, answer, 30));
    var execution = client.signalWithStart(batch);
    awaitSettled(replica, healthy, answer);
    return execution;
  }

  private WorkflowExecutionStatus status(io.temporal.api.common.v1.WorkflowExecution execution) {
    return env.getWorkflowClient()
        .getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace())
                .setExecution(execution)
                .build())
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  /** Until the workflow took the result in and wrote what follows from it. */
  private void awaitSettled(String replica, boolean healthy, String answer) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      State state = state();
      boolean seen =
          state.replicas().stream()
              .anyMatch(
                  r ->
                      r.replica().equals(replica)
                          && r.healthy() == healthy
                          && r.answer().equals(answer));
      int failing = (int) state.replicas().stream().filter(r -> !r.healthy()).count();
      if (seen
          && state.degraded() != null
          && state.degraded() == failing > 0
          && state.failing() == failing
          && state.total() == state.replicas().size()) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("the workflow did not take in " + replica + "'s result");
  }

  private State state() {
    return env.getWorkflowClient().newWorkflowStub(AgentHealthWorkflow.class, ID).health();
  }

  @Test
  void aFailingReplicaDegradesTheAgentAndItsRecoveryClearsIt() {
    report("writer-a", true, "HEALTHY");
    report("writer-b", true, "HEALTHY");
    assertThat(recorder.changes)
        .extracting(HealthChange::degraded, HealthChange::total, HealthChange::transition)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(false, 1, false),
            org.assertj.core.groups.Tuple.tuple(false, 2, false));
    assertThat(recorder.notifications).isEmpty(); // a healthy start is no news (nor an Event)

    report("writer-b", false, "The output is NOT VALID");
    HealthChange degraded = recorder.changes.get(recorder.changes.size() - 1);
    assertThat(degraded.degraded()).isTrue();
    assertThat(degraded.transition()).isTrue();
    assertThat(degraded.reason()).isEqualTo("SemanticProbeFailing");
    assertThat(degraded.message())
        .isEqualTo(
            "1 of 2 replicas failing the semantic probe; last answer: \"The output is NOT VALID\"");
    assertThat(recorder.notifications).hasSize(1);
    Notification first = recorder.notifications.get(0);
    assertThat(first.type()).isEqualTo(NotifyActivities.AGENT_DEGRADED);
    assertThat(first.subjectKind()).isEqualTo("ArkAgent");
    assertThat(first.subjectName()).isEqualTo("writer");
    assertThat(first.key()).startsWith("health/ns/writer/2026-11-30T12:00:");

    report("writer-b", false, "UNHEALTHY"); // same state: nothing written, nothing sent
    assertThat(recorder.changes).hasSize(3);
    assertThat(recorder.notifications).hasSize(1);

    report("writer-b", true, "HEALTHY");
    HealthChange recovered = recorder.changes.get(recorder.changes.size() - 1);
    assertThat(recovered.degraded()).isFalse();
    assertThat(recovered.reason()).isEqualTo("ProbesPassing");
    assertThat(recovered.message()).isEqualTo("all 2 replicas pass the semantic probe");
    assertThat(recorder.notifications)
        .extracting(Notification::type)
        .containsExactly(NotifyActivities.AGENT_DEGRADED, NotifyActivities.AGENT_RECOVERED);
    assertThat(recorder.notifications.get(1).key()).isNotEqualTo(first.key());
    @SuppressWarnings("unchecked")
    Map<String, Object> health =
        (Map<String, Object>)
            ((Map<String, Object>) recorder.notifications.get(1).facts().get("agent"))
                .get("health");
    assertThat(health).containsEntry("failingReplicas", 0).containsEntry("replicas", 2);
  }

  @Test
  void aSilentReplicaIsDroppedAfterThreeIntervalsAndACallTimeoutAndTheWorkflowEndsWhenNoneIsLeft() {
    report("writer-a", true, "HEALTHY");
    report("writer-b", false, "NOT HEALTHY");
    assertThat(state().degraded()).isTrue();
    for (int i = 0; i < 5; i++) { // a keeps reporting every 30 s, the failing b fell silent
      env.sleep(Duration.ofSeconds(29));
      report("writer-a", true, "HEALTHY");
    }
    assertThat(state().replicas())
        .extracting(AgentHealthWorkflow.Replica::replica)
        .containsExactly("writer-a");
    assertThat(state().degraded()).isFalse();
    assertThat(recorder.notifications)
        .extracting(Notification::type)
        .containsExactly(NotifyActivities.AGENT_DEGRADED, NotifyActivities.AGENT_RECOVERED);

    env.sleep(Duration.ofMinutes(3)); // a stops too
    WorkflowStub stub = env.getWorkflowClient().newUntypedWorkflowStub(ID);
    stub.getResult(Void.class);
    assertThat(status(stub.getExecution()))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    HealthChange last = recorder.changes.get(recorder.changes.size() - 1);
    assertThat(last.total()).isZero();
    assertThat(last.reason()).isEqualTo("NoProbeResults");
  }

  private static final java.nio.file.Path HISTORIES =
      java.nio.file.Path.of("src/test/resources/histories/agent-health");

  /**
   * Records a history ({@code WorkflowHistoryReplayTest} replays it in every build); keep the old
   * files: {@code mvn -pl workflows test -Dtest=AgentHealthWorkflowTest
   * -Dark.recordHistories=true}.
   */
  @Test
  @org.junit.jupiter.api.condition.EnabledIfSystemProperty(
      named = "ark.recordHistories",
      matches = "true")
  void record() throws Exception {
    report("writer-a", true, "HEALTHY");
    report("writer-b", false, "NOT HEALTHY");
    report("writer-b", true, "HEALTHY");
    env.sleep(Duration.ofMinutes(3)); // both fall silent: dropped, the workflow ends
    env.getWorkflowClient().newUntypedWorkflowStub(ID).getResult(Void.class);
    java.nio.file.Files.createDirectories(HISTORIES);
    java.nio.file.Files.writeString(
        HISTORIES.resolve("flip-recover-drop.json"),
        env.getWorkflowClient().fetchHistory(ID).toJson(true));
  }

  @Test
  void aDegradedStartIsAnnounced() {
    report("writer-a", false, "I cannot answer that.");
    assertThat(recorder.notifications)
        .extracting(Notification::type)
        .containsExactly(NotifyActivities.AGENT_DEGRADED);
    assertThat(recorder.changes.get(0).message())
        .isEqualTo(
            "1 of 1 replica failing the semantic probe; last answer: \"I cannot answer that.\"");
  }

  @Test
  void continuesAsNewWithItsState() {
    var firstRun = report("writer-a", false, "NO");
    for (int i = 0; i < AgentHealthWorkflowImpl.RESULTS_PER_RUN; i++) {
      WorkflowClient client = env.getWorkflowClient();
      client
          .newWorkflowStub(AgentHealthWorkflow.class, ID)
          .report(new ProbeResult("ns", "writer", "writer-a", false, "NO", 30));
    }
    awaitSettled("writer-a", false, "NO");
    assertThat(state().degraded()).isTrue();
    assertThat(state().replicas()).hasSize(1);
    assertThat(recorder.notifications).hasSize(1); // not announced again by the new run
    assertThat(status(firstRun))
        .isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW);
  }
}
