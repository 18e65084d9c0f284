package dev.arkonis.ark.workflows.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.EventActivities;
import dev.arkonis.ark.workflows.api.EventActivities.NewRun;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireResult;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Timeout(120)
class EventFireWorkflowTest {
  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  private static final List<Target> TARGETS =
      List.of(
          new Target(
              "writer",
              Map.of("task", "Write about {{ .trigger.body.message }} ({{ .trigger.name }})")),
          new Target("reviewer", Map.of("note", "plain text", "at", "{{ .trigger.firedAt }}")));

  private final FakeEvents events = new FakeEvents();
  private boolean started;

  private static FireRequest request(List<Target> targets, boolean wait, String fireId) {
    return new FireRequest(
        "team-ns", "daily", Map.of("body", Map.of("message", "otters")), targets, wait, fireId);
  }

  private WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, String workflowId, FireRequest request) {
    if (!started) {
      env.newWorker(TeamRunWorkflow.TASK_QUEUE).registerActivitiesImplementations(events);
      env.start();
      started = true;
    }
    EventFireWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                EventFireWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    WorkflowClient.start(workflow::fire, request);
    return WorkflowStub.fromTyped(workflow);
  }

  @Test
  void rendersEveryTargetAndCreatesAllRunsInOneCall(TestWorkflowEnvironment env, Worker worker) {
    FireResult result =
        start(env, worker, "fire-1", request(TARGETS, false, "f1")).getResult(FireResult.class);

    List<String> names =
        List.of(
            EventFireWorkflow.runName("writer", "f1", 0),
            EventFireWorkflow.runName("reviewer", "f1", 1));
    assertThat(result.runs()).isEqualTo(names);
    assertThat(result.phases()).isEmpty();
    assertThat(result.firedAt()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    assertThat(events.created).hasSize(1);
    List<NewRun> runs = events.created.get(0).runs();
    assertThat(runs).extracting(NewRun::team).containsExactly("writer", "reviewer");
    assertThat(runs.get(0).input()).containsEntry("task", "Write about otters (daily)");
    assertThat(runs.get(1).input())
        .containsEntry("note", "plain text")
        .containsEntry("at", result.firedAt());
    assertThat(events.recorded)
        .containsExactly(new FakeEvents.Recorded("f1", result.firedAt(), names, null));
  }

  @Test
  void runNamesDeriveFromTheFireId(TestWorkflowEnvironment env, Worker worker) {
    FireResult first =
        start(env, worker, "fire-a", request(TARGETS, false, "same")).getResult(FireResult.class);
    FireResult again =
        start(env, worker, "fire-b", request(TARGETS, false, "same")).getResult(FireResult.class);
    FireResult own =
        start(env, worker, "fire-c", request(TARGETS, false, null)).getResult(FireResult.class);

    assertThat(again.runs()).isEqualTo(first.runs());
    assertThat(first.runs().get(0)).matches("writer-[a-z0-9]{5}");
    // without a fire id the workflow's run id is the fire id
    assertThat(own.runs()).doesNotContainAnyElementsOf(first.runs());
    assertThat(events.recorded.get(2).fireId()).matches("[0-9a-f-]{36}");
  }

  @Test
  void nextFireAtGoesToTheStatusNotToTemplates(TestWorkflowEnvironment env, Worker worker) {
    FireRequest request =
        new FireRequest(
            "team-ns",
            "daily",
            Map.of(FireRuns.NEXT_FIRE_AT, "2026-03-30T07:00:00.000Z"),
            List.of(new Target("writer", Map.of("task", "[{{ .trigger.nextFireAt }}]"))),
            false,
            "cron-1");

    start(env, worker, "fire-next", request).getResult(FireResult.class);

    assertThat(events.created.get(0).runs().get(0).input()).containsEntry("task", "[]");
    assertThat(events.recorded.get(0).nextFireAt()).isEqualTo("2026-03-30T07:00:00.000Z");
  }

  @Test
  void waitsForTheRunsAndReturnsPhasesAndOutputs(TestWorkflowEnvironment env, Worker worker) {
    WorkflowStub fire = start(env, worker, "fire-wait", request(TARGETS, true, "w1"));
    env.sleep(Duration.ofSeconds(30));
    List<String> runs = events.createdNames().get(0);
    events.finish(runs.get(0), "Succeeded", "an essay on otters");
    env.sleep(Duration.ofSeconds(30));
    assertThat(fire.describe().getWorkflowExecutionInfo().getStatus().name())
        .isEqualTo("WORKFLOW_EXECUTION_STATUS_RUNNING");
    events.finish(runs.get(1), "Failed", null);

    FireResult result = fire.getResult(FireResult.class);

    assertThat(result.phases())
        .containsExactly(Map.entry(runs.get(0), "Succeeded"), Map.entry(runs.get(1), "Failed"));
    assertThat(result.outputs()).containsExactly(Map.entry(runs.get(0), "an essay on otters"));
  }

  @Test
  void aRunRenamedBecauseItsNameWasTakenIsTheOneRecordedAndAwaited(
      TestWorkflowEnvironment env, Worker worker) {
    String generated = EventFireWorkflow.runName("writer", "t1", 0);
    events.taken.add(generated);
    events.states.put(generated, new EventActivities.RunState("Running", null)); // not ours
    WorkflowStub fire = start(env, worker, "fire-taken", request(TARGETS, true, "t1"));
    env.sleep(Duration.ofSeconds(10));
    List<String> names = List.of(generated + "-x", EventFireWorkflow.runName("reviewer", "t1", 1));
    events.finish(names.get(0), "Succeeded", "mine");
    events.finish(names.get(1), "Succeeded", "also mine");

    FireResult result = fire.getResult(FireResult.class);

    assertThat(result.runs()).isEqualTo(names);
    assertThat(result.outputs()).containsEntry(generated + "-x", "mine");
    assertThat(events.recorded.get(0).runs()).isEqualTo(names);
    assertThat(events.created.get(0).runs().get(0).fireId()).isEqualTo("t1");
  }

  @Test
  void waitingOnALongRunDoesNotGrowTheFiresHistory(TestWorkflowEnvironment env, Worker worker) {
    WorkflowStub fire = start(env, worker, "fire-long", request(TARGETS.subList(0, 1), true, "l1"));
    env.sleep(Duration.ofMinutes(2));
    String id = "fire-long";
    int afterTwoMinutes = env.getWorkflowClient().fetchHistory(id).getEvents().size();
    int polls = events.awaitCalls.get();
    env.sleep(Duration.ofHours(3));

    assertThat(events.awaitCalls.get() - polls).as("polls during the 3 hours").isGreaterThan(300);
    assertThat(env.getWorkflowClient().fetchHistory(id).getEvents()).hasSize(afterTwoMinutes);
    events.finish(events.createdNames().get(0).get(0), "Succeeded", "at last");
    assertThat(fire.getResult(FireResult.class).outputs()).containsValue("at last");
    assertThat(env.getWorkflowClient().fetchHistory(id).getEvents().size())
        .isLessThan(afterTwoMinutes + 10);
  }

  @Test
  void aTemplateErrorFailsTheFireAndCreatesNothing(TestWorkflowEnvironment env, Worker worker) {
    List<Target> targets =
        List.of(
            TARGETS.get(0),
            new Target("reviewer", Map.of("note", "{{ .trigger.body.message | shout }}")));

    WorkflowStub fire = start(env, worker, "fire-bad", request(targets, false, "bad"));

    assertThatThrownBy(() -> fire.getResult(FireResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(FireRuns.INVALID_TEMPLATE);
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getOriginalMessage())
                  .contains("ArkEvent team-ns/daily: targets[1] (team reviewer) input.note")
                  .contains("shout");
            });
    assertThat(events.created).isEmpty();
    assertThat(events.recorded).isEmpty();
  }

  @Test
  void aTargetInputRenderedTooLargeForAPayloadFailsTheFireAndCreatesNothing(
      TestWorkflowEnvironment env, Worker worker) {
    List<Target> targets =
        List.of( // 30 numbers of 10,000 digits
            new Target(
                "writer",
                Map.of(
                    "task",
                    "{{ printf \"" + "%010000d".repeat(30) + "\"" + " 7".repeat(30) + " }}")));

    WorkflowStub fire = start(env, worker, "fire-huge", request(targets, false, "huge"));

    assertThatThrownBy(() -> fire.getResult(FireResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .cause()
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f ->
                assertThat(f.getOriginalMessage())
                    .isEqualTo(
                        "ArkEvent team-ns/daily: targets[0] (team writer) input.task: rendered"
                            + " to 300000 characters, more than the 262144 a run's input may"
                            + " have; take less from .trigger; no run was created"));
    assertThat(events.created).isEmpty();
  }

  @Test
  void cancelledWhileWaitingCancelsItsActiveRuns(TestWorkflowEnvironment env, Worker worker) {
    WorkflowStub fire = start(env, worker, "fire-cancel", request(TARGETS, true, "c1"));
    env.sleep(Duration.ofSeconds(10));
    List<String> runs = events.createdNames().get(0);
    events.finish(runs.get(1), "Succeeded", "kept");
    env.sleep(Duration.ofSeconds(10));

    fire.cancel();

    assertThatThrownBy(() -> fire.getResult(FireResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    // the finished run is kept; only the active one is cancelled
    assertThat(events.cancelled).containsExactly(List.of(runs.get(0)));
  }

  @Test
  void cancelledWhileCreatingItsRunsCancelsEveryRunItCreated(
      TestWorkflowEnvironment env, Worker worker) throws Exception {
    events.createHeld = new java.util.concurrent.CountDownLatch(1);
    WorkflowStub fire = start(env, worker, "fire-cancel-create", request(TARGETS, true, "c2"));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (events.created.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(events.created).hasSize(1);

    fire.cancel(); // a Replace from another replica while the runs are being created
    Thread.sleep(300);
    events.createHeld.countDown();

    assertThatThrownBy(() -> fire.getResult(FireResult.class))
        .isInstanceOf(WorkflowFailedException.class)
        .hasCauseInstanceOf(CanceledFailure.class);
    // both runs were created after the cancellation arrived: the fire waited for the creation
    // (WAIT_CANCELLATION_COMPLETED), so it still cancels them — Replace across replicas relies on
    // it
    assertThat(events.cancelled).containsExactly(events.createdNames().get(0));
  }
}
