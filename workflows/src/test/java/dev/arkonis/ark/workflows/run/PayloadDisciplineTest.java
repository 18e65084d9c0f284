package dev.arkonis.ark.workflows.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A run whose model answers 5 MiB every time, over 200 turns (a step looping 20 times, 10 turns
 * each with tool calls), completes without nearing Temporal's limits: no event of any history (run,
 * step task and its continuations) near the 2 MiB payload limit, every history far under 10,000
 * events and 50 MB, status writes as small as the ArkRun keeps.
 */
@Timeout(600)
class PayloadDisciplineTest {
  private static final String HUGE = "x".repeat(5 * 1024 * 1024);
  private static final int ITERATIONS = 20;
  private static final int TURNS = 10;

  private final TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
  private final List<RunStatus> writes = new CopyOnWriteArrayList<>();
  private final AtomicInteger turns = new AtomicInteger();

  @AfterEach
  void close() {
    env.close();
  }

  /** The model: a tool call on 9 turns of 10, then the answer; 5 MiB each. */
  private ChatResponse answer(ChatRequest request) {
    int turn = turns.incrementAndGet(); // calls come one at a time
    List<ChatMessage.ToolCall> calls =
        turn % TURNS != 0
            ? List.of(new ChatMessage.ToolCall("c" + turn, "lookup", "{\"q\":1}"))
            : List.of();
    // what the chat activity returns for a 5 MiB answer (AgentActivitiesImpl caps the same way)
    return new ChatResponse(HUGE, calls, new TokenUsage(10, 10), null, List.of(), 1).capped();
  }

  @Test
  void hugeAnswersOver200TurnsStayFarFromEveryTemporalLimit() {
    env.newWorker("runs").registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerActivitiesImplementations(
            (RunStatusActivities) (ref, status) -> writes.add(status),
            (NotifyActivities) notification -> {});
    env.newWorker(RunPlan.taskQueue(Plans.NS, "team-writer"))
        .registerActivitiesImplementations(
            (dev.arkonis.ark.workflows.api.AgentActivities) this::answer,
            new ToolActivities() {
              @Override
              public ToolList listTools(AgentSpec agent) {
                return new ToolList(
                    List.of(new ChatRequest.ToolSpec("lookup", "looks up", "{}")), List.of());
              }

              @Override
              public ToolResult callTool(ToolCallRequest request) {
                return new ToolResult("r".repeat(60 * 1024), false);
              }
            });
    env.start();

    AgentSpec writer = Plans.agent("writer", 0);
    writer =
        new AgentSpec(
            writer.role(),
            writer.agent(),
            writer.taskQueue(),
            writer.model(),
            writer.provider(),
            writer.systemPrompt(),
            0,
            30,
            null,
            false,
            List.of(),
            List.of(),
            List.of(new HttpToolSpec("lookup", "looks up", "http://127.0.0.1:9/", "GET", null, 5)));
    StepSpec loop =
        new StepSpec(
            "loop",
            "writer",
            List.of(),
            Map.of("prompt", "write {{ .input.topic }}; before: {{ .steps.loop.output }}"),
            null,
            null,
            new StepSpec.Loop("{{ ne .steps.loop.output \"done\" }}", ITERATIONS),
            null,
            0,
            -1);
    RunPlan plan =
        new RunPlan(
            Plans.NS,
            "huge",
            "team",
            Map.of("topic", "otters"),
            Map.of(),
            Map.of("writer", writer),
            List.of(loop),
            null,
            null,
            0,
            0,
            2,
            Map.of(),
            TeamRunWorkflow.TASK_QUEUE,
            null);
    String id = "arkrun/test/huge";
    TeamRunWorkflow run =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("runs").build());
    RunStatus result = run.run(plan);

    assertThat(result.phase()).as("%s", result.message()).isEqualTo(Phases.SUCCEEDED);
    assertThat(turns.get()).isEqualTo(ITERATIONS * TURNS);
    StepStatus step = result.steps().get(0);
    assertThat(step.iterations()).isEqualTo(ITERATIONS);
    assertThat(step.tokenUsage().totalTokens()).isEqualTo(20L * ITERATIONS * TURNS);
    assertThat(step.output())
        .startsWith("xxxx")
        .endsWith(PayloadLimits.TRUNCATED_MARK + HUGE.length() + " characters in total)");

    List<WorkflowExecutionHistory> histories = new ArrayList<>();
    collect(env.getWorkflowClient(), id, null, histories);
    long largest = 0;
    for (WorkflowExecutionHistory history : histories) {
      long size = 0;
      for (HistoryEvent event : history.getEvents()) {
        size += event.getSerializedSize();
        largest = Math.max(largest, event.getSerializedSize());
      }
      assertThat(size).as("bytes of one history").isLessThan(20L * 1024 * 1024);
      assertThat(history.getEvents().size()).as("events of one history").isLessThan(2_000);
    }
    assertThat(largest).as("largest event of any history").isLessThan(1024L * 1024);
    assertThat(histories.size())
        .as("the run, its step task and its continuations")
        .isGreaterThan(3);
    for (RunStatus write : writes) {
      for (StepStatus s : write.steps()) {
        assertThat(s.output() == null ? 0 : s.output().length())
            .isLessThan(PayloadLimits.STATUS_OUTPUT_CHARS + 100);
      }
    }
    System.out.printf(
        "payload discipline: %d histories, largest event %d bytes, %d status writes%n",
        histories.size(), largest, writes.size());
    for (WorkflowExecutionHistory h : histories) {
      System.out.printf(
          "  %s: %d events, %d bytes%n",
          h.getWorkflowExecution().getWorkflowId(),
          h.getEvents().size(),
          h.getEvents().stream().mapToLong(HistoryEvent::getSerializedSize).sum());
    }
  }

  /** The history of {@code id} (its run {@code runId}), its continuations and its children's. */
  static void collect(
      WorkflowClient client, String id, String runId, List<WorkflowExecutionHistory> out) {
    WorkflowExecutionHistory history =
        runId == null ? client.fetchHistory(id) : client.fetchHistory(id, runId);
    if (runId == null) { // start from the first run of the chain
      String first =
          history
              .getEvents()
              .get(0)
              .getWorkflowExecutionStartedEventAttributes()
              .getFirstExecutionRunId();
      if (!first.isEmpty() && !first.equals(history.getWorkflowExecution().getRunId())) {
        history = client.fetchHistory(id, first);
      }
    }
    out.add(history);
    for (HistoryEvent event : history.getEvents()) {
      if (event.getEventType() == EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED) {
        var child = event.getChildWorkflowExecutionStartedEventAttributes().getWorkflowExecution();
        collect(client, child.getWorkflowId(), child.getRunId(), out);
      }
      if (event.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW) {
        String next =
            event.getWorkflowExecutionContinuedAsNewEventAttributes().getNewExecutionRunId();
        collect(client, id, next, out);
      }
    }
  }
}
