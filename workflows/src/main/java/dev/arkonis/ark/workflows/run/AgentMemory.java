package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * An agent's memory around one task ({@code memoryRef}): {@code recallMemory} before the first turn
 * puts the most relevant memories into the task message, {@code storeMemory} after the final answer
 * keeps the task and a summary of the answer. Both are activities on the agent's queue (behind
 * {@code Workflow.getVersion("agent-memory")}); a memory that cannot be read or written is noted on
 * the step and never fails it.
 */
final class AgentMemory {
  static final String CHANGE_ID = "agent-memory";

  /** The task message's heading for recalled memories. */
  static final String HEADING = "Relevant memories from your earlier tasks";

  /** Characters of a task and of an answer kept in one memory. */
  static final int TASK_CHARS = 1000;

  static final int ANSWER_CHARS = 2000;

  private AgentMemory() {}

  /** {@code task} with the agent's recalled memories before it, or unchanged. */
  static String recall(RunState state, RunState.Step step, AgentSpec agent, String task) {
    if (!enabled(agent)) {
      return task;
    }
    MemoryActivities.Recalled recalled;
    try {
      recalled =
          stub(agent, "recallMemory · step " + step.name + " · role " + agent.role())
              .recall(
                  new MemoryActivities.RecallRequest(
                      agent.memory(), PayloadLimits.cap(task, TASK_CHARS), MemorySpec.TOP_K));
    } catch (ActivityFailure failure) {
      recalled = new MemoryActivities.Recalled(List.of(), reason(failure));
    }
    if (recalled.problem() != null) {
      note(state, step, agent, recalled.problem());
      return task;
    }
    return withMemories(task, recalled.memories());
  }

  /** Keeps {@code task} and its {@code answer} in the agent's memory. */
  static void store(
      RunState state, RunState.Step step, AgentSpec agent, String task, String answer) {
    if (!enabled(agent)) {
      return;
    }
    MemoryActivities.Stored stored;
    try {
      stored =
          stub(agent, "storeMemory · step " + step.name + " · role " + agent.role())
              .store(
                  new MemoryActivities.StoreRequest(
                      agent.memory(),
                      PayloadLimits.cap(task, TASK_CHARS),
                      PayloadLimits.cap(answer == null ? "" : answer, ANSWER_CHARS)));
    } catch (ActivityFailure failure) {
      stored = new MemoryActivities.Stored(reason(failure));
    }
    if (stored.problem() != null) {
      note(state, step, agent, stored.problem());
    }
  }

  /** The task message with {@code memories} in front of the task. */
  static String withMemories(String task, List<String> memories) {
    if (memories.isEmpty()) {
      return task;
    }
    StringBuilder out = new StringBuilder(HEADING).append(":\n");
    for (String memory : memories) {
      out.append("- ").append(memory.replace("\n", "\n  ")).append('\n');
    }
    return out.append("\nYour task:\n").append(task).toString();
  }

  private static boolean enabled(AgentSpec agent) {
    return agent.memory() != null
        && Workflow.getVersion(CHANGE_ID, Workflow.DEFAULT_VERSION, 1) >= 1;
  }

  private static void note(RunState state, RunState.Step step, AgentSpec agent, String problem) {
    String line = "memory unavailable, running without it: " + problem;
    step.message = step.message == null ? line : step.message + "; " + line;
    state.changed();
  }

  private static String reason(ActivityFailure failure) {
    Throwable cause = failure.getCause();
    return cause instanceof ApplicationFailure app
        ? app.getOriginalMessage()
        : String.valueOf(cause == null ? failure.getMessage() : cause.getMessage());
  }

  private static MemoryActivities stub(AgentSpec agent, String summary) {
    return Workflow.newActivityStub(
        MemoryActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(agent.taskQueue())
            .setScheduleToStartTimeout(AgentCalls.QUEUE_WAIT)
            .setStartToCloseTimeout(Duration.ofSeconds(60))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(1))
                    .setMaximumAttempts(2)
                    .build())
            .setSummary(summary)
            .build());
  }
}
