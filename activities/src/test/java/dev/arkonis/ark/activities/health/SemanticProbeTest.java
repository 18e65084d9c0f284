package dev.arkonis.ark.activities.health;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two replicas of one agent on one task queue, each with its semantic probe on a scripted model: a
 * replica whose probe fails takes no tasks until it passes again, and the agent's AgentHealth
 * workflow sees each flip.
 */
@Timeout(120)
class SemanticProbeTest {
  private static final String QUEUE = "ark/ns/writer";

  /** Upstream's convention: the validator prompt asks for HEALTHY. */
  private static final String UPSTREAM_PROMPT =
      "Are you able to answer? Reply with exactly one word: HEALTHY, or UNHEALTHY if not.";

  private static final AgentSpec AGENT =
      new AgentSpec(
          "writer",
          "writer",
          QUEUE,
          "probe-model",
          ModelFactory.MOCK,
          "You write.",
          0,
          30,
          null,
          false,
          List.of(),
          List.of(),
          List.of());

  /** Sends tasks to the agent's queue, one after the other. */
  @WorkflowInterface
  public interface Tasks {
    @WorkflowMethod
    List<String> send(int count);
  }

  public static final class TasksImpl implements Tasks {
    private final AgentActivities agent =
        Workflow.newActivityStub(
            AgentActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(QUEUE)
                .setStartToCloseTimeout(Duration.ofSeconds(20))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofMillis(100))
                        .setMaximumAttempts(20)
                        .build())
                .build());

    @Override
    public List<String> send(int count) {
      List<String> answers = new java.util.ArrayList<>();
      for (int i = 0; i < count; i++) {
        answers.add(
            agent
                .chat(
                    new ChatRequest(
                        "task",
                        "step-" + i,
                        AGENT,
                        List.of(ChatMessage.user("task " + i)),
                        null,
                        List.of()))
                .text());
      }
      return answers;
    }
  }

  /** The orchestration side: what the workflow writes and announces. */
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

  /** A replica: its worker, the tasks it ran, its probe on its own scripted model. */
  final class Replica {
    final WorkerFactory factory = WorkerFactory.newInstance(env.getWorkflowClient());
    final Worker worker = factory.newWorker(QUEUE);
    final AtomicInteger tasks = new AtomicInteger();
    final SemanticProbe probe;

    Replica(String id, String... probeAnswers) {
      AgentActivitiesImpl probeModel =
          new AgentActivitiesImpl(
              new ModelFactory(
                  Map.of(),
                  ModelFactory.MOCK,
                  MockChatModel.Options.DEFAULT.withScript(
                      java.util.Arrays.stream(probeAnswers).map(ScriptedReply::text).toList())));
      AgentActivitiesImpl taskModel =
          new AgentActivitiesImpl(
              new ModelFactory(Map.of(), ModelFactory.MOCK, MockChatModel.Options.DEFAULT));
      probe =
          new SemanticProbe(
              probeModel,
              AGENT,
              SemanticProbe.Settings.of(
                  new ObjectMapper()
                      .createObjectNode()
                      .put("type", "semantic")
                      .put("intervalSeconds", 30)
                      .put("validatorPrompt", UPSTREAM_PROMPT)),
              List.of(worker),
              new HealthReports(env.getWorkflowClient(), List.of(QUEUE), id, 30));
      AgentActivities counted =
          request -> {
            ChatResponse response = taskModel.chat(request);
            tasks.incrementAndGet();
            return response;
          };
      worker.registerActivitiesImplementations(probe.gate(new Counted(counted)));
      factory.start();
    }
  }

  /** A named class: Temporal registers activity implementations by their interfaces. */
  record Counted(AgentActivities delegate) implements AgentActivities {
    @Override
    public ChatResponse chat(ChatRequest request) {
      return delegate.chat(request);
    }
  }

  private TestWorkflowEnvironment env;
  private final Recorder recorder = new Recorder();
  private final List<Replica> replicas = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() {
    // real time: the AgentHealth workflow's expiry timers must not be skipped while tasks run
    env =
        TestWorkflowEnvironment.newInstance(
            io.temporal.testing.TestEnvironmentOptions.newBuilder()
                .setUseTimeskipping(false)
                .build());
    Worker orchestrator = env.newWorker(TeamRunWorkflow.TASK_QUEUE);
    orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    orchestrator.registerActivitiesImplementations(recorder);
    env.newWorker("tasks").registerWorkflowImplementationTypes(TasksImpl.class);
    env.start();
  }

  @AfterEach
  void tearDown() {
    replicas.forEach(r -> r.factory.shutdownNow());
    env.close();
  }

  private Replica replica(String id, String... probeAnswers) {
    Replica replica = new Replica(id, probeAnswers);
    replicas.add(replica);
    return replica;
  }

  private List<String> sendTasks(int count) {
    Tasks tasks =
        env.getWorkflowClient()
            .newWorkflowStub(
                Tasks.class,
                WorkflowOptions.newBuilder()
                    .setTaskQueue("tasks")
                    .setWorkflowId("tasks-" + java.util.UUID.randomUUID())
                    .build());
    return tasks.send(count);
  }

  private void awaitChange(java.util.function.Predicate<HealthChange> expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!recorder.changes.isEmpty()
          && expected.test(recorder.changes.get(recorder.changes.size() - 1))) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new AssertionError("no such health change; changes: " + recorder.changes);
  }

  @Test
  void aFailingReplicaTakesNoTasksUntilItsProbePassesAgain() {
    Replica a = replica("writer-a", "HEALTHY", "The output is NOT VALID", "Healthy.");
    // b's model: the default mock answers an upstream HEALTHY prompt with HEALTHY, then fails once
    Replica b = replica("writer-b", "HEALTHY", "HEALTHY", "I am not sure.", "HEALTHY");

    assertThat(a.probe.check().healthy()).isTrue();
    assertThat(b.probe.check().healthy()).isTrue();
    assertThat(a.probe.notReady()).isNull();
    awaitChange(c -> !c.degraded() && c.total() == 2);

    // a flips unhealthy: "The output is NOT VALID" is no pass (first word, exactly)
    SemanticProbe.Result failing = a.probe.check();
    assertThat(failing.healthy()).isFalse();
    assertThat(a.probe.notReady()).contains("The output is NOT VALID");
    assertThat(a.worker.isSuspended()).isTrue();
    awaitChange(c -> c.degraded() && c.failing() == 1 && c.total() == 2);
    assertThat(recorder.changes.get(recorder.changes.size() - 1).lastAnswer())
        .isEqualTo("The output is NOT VALID");

    assertThat(sendTasks(6)).hasSize(6);
    assertThat(a.tasks).hasValue(0);
    assertThat(b.tasks).hasValue(6);

    // a passes again, then b fails: every task now goes to a
    assertThat(a.probe.check().healthy()).isTrue();
    assertThat(a.worker.isSuspended()).isFalse();
    assertThat(a.probe.notReady()).isNull();
    assertThat(b.probe.check().healthy()).isTrue();
    assertThat(b.probe.check().healthy()).isFalse();
    awaitChange(c -> c.degraded() && c.lastAnswer().equals("I am not sure."));
    assertThat(sendTasks(6)).hasSize(6);
    assertThat(a.tasks).hasValue(6);
    assertThat(b.tasks).hasValue(6);

    assertThat(b.probe.check().healthy()).isTrue();
    awaitChange(c -> !c.degraded() && c.total() == 2);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (recorder.notifications.size() < 4 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(recorder.notifications)
        .extracting(Notification::type)
        .containsExactly(
            NotifyActivities.AGENT_DEGRADED,
            NotifyActivities.AGENT_RECOVERED,
            NotifyActivities.AGENT_DEGRADED,
            NotifyActivities.AGENT_RECOVERED);
  }

  @Test
  void theExpectedAnswerIsConfigurable() {
    Replica a = replica("writer-a", "OK", "HEALTHY");
    SemanticProbe probe =
        new SemanticProbe(
            new AgentActivitiesImpl(
                new ModelFactory(
                    Map.of(),
                    ModelFactory.MOCK,
                    MockChatModel.Options.DEFAULT.withScript(
                        List.of(ScriptedReply.text("ok, fine"), ScriptedReply.text("HEALTHY"))))),
            AGENT,
            new SemanticProbe.Settings(30, "Say OK.", "OK"),
            List.of(a.worker),
            result -> {});
    assertThat(probe.check().healthy()).isTrue();
    assertThat(probe.check().healthy()).isFalse(); // HEALTHY is not the configured word
  }

  @Test
  void aModelErrorFailsTheProbeAndStartSuspendsUntilTheFirstPass() {
    Replica a = replica("writer-a");
    SemanticProbe probe =
        new SemanticProbe(
            new AgentActivitiesImpl(
                new ModelFactory(
                    Map.of(),
                    ModelFactory.MOCK,
                    MockChatModel.Options.DEFAULT.withScript(
                        List.of(ScriptedReply.error("unavailable", "model overloaded"))))),
            AGENT,
            SemanticProbe.Settings.of(
                new ObjectMapper().createObjectNode().put("type", "semantic")),
            List.of(a.worker),
            result -> {});
    assertThat(probe.notReady()).contains("has not finished");
    SemanticProbe.Result result = probe.check();
    assertThat(result.healthy()).isFalse();
    assertThat(result.answer()).startsWith("error: ").contains("model overloaded");
    // the default prompt asks for VALID; the unscripted mock answers it
    assertThat(probe.check().healthy()).isTrue();
    assertThat(SemanticProbe.Settings.of(new ObjectMapper().createObjectNode().put("type", "ping")))
        .isNull();
  }
}
