package dev.arkonis.ark.workflows.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.NotifyDeliveryActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.NotifyWorkflow.Counts;
import dev.arkonis.ark.workflows.api.NotifyWorkflow.Envelope;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class NotifyWorkflowTest {
  private static final String NS = "ark-teams";
  private static final String NOTIFY = "alerts";

  @RegisterExtension
  static final TestWorkflowExtension testWorkflow =
      TestWorkflowExtension.newBuilder()
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL)
          .setDoNotStart(true)
          .build();

  /** Records deliveries and status writes; each delivery answers through {@code answer}. */
  static final class Recording implements NotifyDeliveryActivities {
    final List<Notification> delivered = new CopyOnWriteArrayList<>();
    final List<Counts> statuses = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final Function<Integer, String> answer;

    Recording(Function<Integer, String> answer) {
      this.answer = answer;
    }

    @Override
    public String deliver(String namespace, String notify, Notification notification) {
      String templateError = answer.apply(attempts.incrementAndGet());
      delivered.add(notification);
      return templateError;
    }

    @Override
    public void writeStatus(String namespace, String notify, Counts counts) {
      statuses.add(counts);
    }
  }

  private static Envelope event(String team, String type, String key, int window, int max) {
    return new Envelope(
        new Notification(NS, "ArkTeam", team, type, key, "run-" + key, Map.of()), window, max);
  }

  private static void send(TestWorkflowEnvironment env, Envelope envelope) {
    WorkflowStub stub =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(
                "NotifyWorkflow",
                WorkflowOptions.newBuilder()
                    .setWorkflowId(NotifyWorkflow.workflowId(NS, NOTIFY))
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build());
    stub.signalWithStart(
        "event", new Object[] {envelope}, new Object[] {NotifyWorkflow.State.initial(NS, NOTIFY)});
  }

  private static Counts counts(TestWorkflowEnvironment env) {
    return env.getWorkflowClient()
        .newWorkflowStub(NotifyWorkflow.class, NotifyWorkflow.workflowId(NS, NOTIFY))
        .counts();
  }

  private static Recording start(TestWorkflowEnvironment env, Recording recording) {
    Worker orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(NotifyWorkflowImpl.class);
    orchestrator.registerActivitiesImplementations(recording);
    env.start();
    return recording;
  }

  @Test
  void theSameKeyIsDeliveredOnceAndAStormIsRateLimitedPerTeamAndType(
      TestWorkflowEnvironment env, Worker worker) {
    Recording recording = start(env, new Recording(attempt -> null));

    send(env, event("t1", "TeamFailed", "k0", 300, 2));
    send(env, event("t1", "TeamFailed", "k0", 300, 2)); // the same event again
    for (int i = 1; i <= 9; i++) {
      send(env, event("t1", "TeamFailed", "k" + i, 300, 2));
    }
    send(env, event("t2", "TeamFailed", "other-team", 300, 2));
    send(env, event("t1", "TeamSucceeded", "other-type", 300, 2));
    env.sleep(Duration.ofSeconds(5));

    assertThat(recording.delivered)
        .extracting(Notification::key)
        .containsExactlyInAnyOrder("k0", "k1", "other-team", "other-type");
    Counts counts = counts(env);
    assertThat(counts.sentCount()).isEqualTo(4);
    assertThat(counts.suppressedCount()).isEqualTo(8);
    assertThat(counts.lastSentAt()).isNotNull();
    assertThat(recording.statuses).isNotEmpty();
    assertThat(recording.statuses.get(recording.statuses.size() - 1)).isEqualTo(counts);

    // once the window has passed, the team's failures are sent again
    env.sleep(Duration.ofSeconds(301));
    send(env, event("t1", "TeamFailed", "k10", 300, 2));
    env.sleep(Duration.ofSeconds(5));
    assertThat(recording.delivered).extracting(Notification::key).contains("k10");
    assertThat(counts(env).sentCount()).isEqualTo(5);
  }

  @Test
  void aFailingChannelIsRetriedAndTheMessageSentOnce(TestWorkflowEnvironment env, Worker worker) {
    Recording recording =
        start(
            env,
            new Recording(
                attempt -> {
                  if (attempt <= 2) {
                    throw ApplicationFailure.newFailure(
                        "slack answered HTTP 500", "NotifyChannelError");
                  }
                  return null;
                }));

    send(env, event("t1", "TeamSucceeded", "run/ns/r1/TeamSucceeded", 0, 0));
    env.sleep(Duration.ofSeconds(20));

    assertThat(recording.attempts.get()).isEqualTo(3);
    assertThat(recording.delivered).hasSize(1);
    assertThat(counts(env)).isEqualTo(new Counts(1, 0, counts(env).lastSentAt(), null, null));
  }

  @Test
  void aRefusedMessageAndATemplateErrorAreReported(TestWorkflowEnvironment env, Worker worker) {
    start(
        env,
        new Recording(
            attempt -> {
              if (attempt == 1) {
                throw ApplicationFailure.newNonRetryableFailure(
                    "slack answered HTTP 404", "NotifyRejected");
              }
              return "spec.events[TeamFailed].template: line 1: function \"nope\" not defined";
            }));

    send(env, event("t1", "TeamSucceeded", "a", 0, 0));
    env.sleep(Duration.ofSeconds(5));
    Counts refused = counts(env);
    assertThat(refused.sentCount()).isZero();
    assertThat(refused.lastError())
        .isEqualTo("TeamSucceeded (a) not delivered: slack answered HTTP 404");
    assertThat(refused.errorReason()).isEqualTo("DeliveryFailed");

    send(env, event("t1", "TeamFailed", "b", 0, 0));
    env.sleep(Duration.ofSeconds(5));
    Counts templated = counts(env);
    assertThat(templated.sentCount()).isEqualTo(1);
    assertThat(templated.lastError()).contains("function \"nope\" not defined");
    assertThat(templated.errorReason()).isEqualTo("TemplateError");
  }

  @Test
  void keysWindowsAndCountersSurviveContinueAsNew(TestWorkflowEnvironment env, Worker worker) {
    Recording recording = start(env, new Recording(attempt -> null));
    send(env, event("t1", "TeamFailed", "first", 3600, 1));
    String firstRun =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(NotifyWorkflow.workflowId(NS, NOTIFY))
            .describe()
            .getExecution()
            .getRunId();
    for (int i = 1; i < NotifyWorkflowImpl.EVENTS_PER_RUN + 10; i++) {
      send(env, event("t1", "TeamFailed", "storm-" + i, 3600, 1));
    }
    env.sleep(Duration.ofSeconds(10));
    String secondRun =
        env.getWorkflowClient()
            .newUntypedWorkflowStub(NotifyWorkflow.workflowId(NS, NOTIFY))
            .describe()
            .getExecution()
            .getRunId();
    assertThat(secondRun).isNotEqualTo(firstRun);

    send(env, event("t1", "TeamFailed", "first", 3600, 1)); // a repeat from before
    send(env, event("t1", "TeamFailed", "after", 3600, 1)); // still inside the window
    env.sleep(Duration.ofSeconds(5));

    assertThat(recording.delivered).extracting(Notification::key).containsExactly("first");
    Counts counts = counts(env);
    assertThat(counts.sentCount()).isEqualTo(1);
    assertThat(counts.suppressedCount())
        .isEqualTo(NotifyWorkflowImpl.EVENTS_PER_RUN + 10); // the storm and "after"
  }
}
