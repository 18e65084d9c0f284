package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.api.enums.v1.TimeoutType;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes LLM calls for a step: one {@code chat} activity each, on the agent's task queue, with the
 * budget checked around it and attempts and tokens recorded on the step.
 */
final class AgentCalls {
  static final int DEFAULT_ATTEMPTS = 3;
  static final int DEFAULT_CALL_TIMEOUT_SECONDS = 120;

  /**
   * How long a call may wait for a worker of the agent's task queue to pick it up (Temporal
   * schedule-to-start timeout): an agent scaled to 0 (by hand or by its daily budget) or without a
   * ready replica fails the step after this instead of waiting forever. Not retried.
   */
  static final Duration QUEUE_WAIT = Duration.ofMinutes(10);

  /**
   * The chat activity heartbeats while the model call is in flight (a worker that died is noticed
   * after this, and a cancelled run's call is aborted at the next heartbeat).
   */
  static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(10);

  private final Budget budget;
  private long carried;
  private final String team;

  /**
   * @param team the run's ArkTeam, passed to the chat activity for its metrics
   */
  AgentCalls(Budget budget, String team) {
    this.budget = budget;
    this.team = team;
  }

  /** One LLM turn; throws {@link RunStop} when the call fails for good or the budget runs out. */
  ChatResponse chat(
      RunState state,
      RunState.Step step,
      int retries,
      String purpose,
      AgentSpec agent,
      List<ChatMessage> messages,
      String outputSchema,
      List<ChatRequest.ToolSpec> tools) {
    budget.beforeCall(step.name, agent.maxTokensPerCall());
    int maxAttempts = retries >= 0 ? retries + 1 : DEFAULT_ATTEMPTS;
    ActivityOptions options =
        options(agent, maxAttempts)
            .setHeartbeatTimeout(HEARTBEAT_TIMEOUT)
            .setSummary(purpose + " · step " + step.name + " · role " + agent.role())
            .build();
    AgentActivities activities = Workflow.newActivityStub(AgentActivities.class, options);
    StepTag.set(step.name);

    List<ChatMessage> sent = new ArrayList<>(messages);
    Payloads.fitConversation(sent);
    ChatResponse response;
    try {
      response =
          activities
              .chat(new ChatRequest(purpose, step.name, agent, sent, outputSchema, tools, team))
              .capped(); // the chat activity caps its answer; a worker of an older version may not
    } catch (ActivityFailure failure) {
      step.attempts = Math.max(step.attempts, 1) + failedAttempts(failure, maxAttempts) - 1;
      state.changed();
      throw new RunStop(Phases.FAILED, describe(failure, agent, maxAttempts));
    }
    carried +=
        Payloads.conversationLength(sent)
            + (response.text() == null ? 0 : response.text().length());
    step.attempts = Math.max(step.attempts, 1) + response.attempt() - 1;
    step.usage = step.usage.plus(response.usage());
    state.changed();
    budget.afterCall(step.name, response.usage());
    return response;
  }

  /** Lists the agent's MCP and HTTP tools (one activity on its queue). */
  ToolActivities.ToolList listTools(RunState.Step step, AgentSpec agent) {
    ToolActivities tools =
        Workflow.newActivityStub(
            ToolActivities.class,
            options(agent, DEFAULT_ATTEMPTS)
                .setSummary("listTools · step " + step.name + " · role " + agent.role())
                .build());
    StepTag.set(step.name);
    try {
      return tools.listTools(agent);
    } catch (ActivityFailure failure) {
      Throwable cause = failure.getCause();
      String reason =
          cause instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : queueNotPolled(cause) ? nobodyPolls(agent) : String.valueOf(cause);
      return new ToolActivities.ToolList(List.of(), List.of("could not list tools: " + reason));
    }
  }

  /** Calls one tool (one activity); infrastructure failures come back as an error result. */
  ToolActivities.ToolResult callTool(
      RunState.Step step, AgentSpec agent, ChatMessage.ToolCall call) {
    ToolActivities tools =
        Workflow.newActivityStub(
            ToolActivities.class,
            options(agent, DEFAULT_ATTEMPTS)
                .setSummary(call.name() + " · step " + step.name + " · role " + agent.role())
                .build());
    StepTag.set(step.name);
    try {
      return tools.callTool(
          new ToolActivities.ToolCallRequest(agent, call.name(), call.arguments()));
    } catch (ActivityFailure failure) {
      Throwable cause = failure.getCause();
      String reason =
          cause instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : queueNotPolled(cause) ? nobodyPolls(agent) : String.valueOf(cause);
      return new ToolActivities.ToolResult("tool " + call.name() + " failed: " + reason, true);
    }
  }

  /**
   * Characters these calls carried in their requests and answers: a lower bound of the history they
   * added, known on every server (the test server reports no history size).
   */
  long carried() {
    return carried;
  }

  Budget budget() {
    return budget;
  }

  private static ActivityOptions.Builder options(AgentSpec agent, int maxAttempts) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(agent.taskQueue())
        .setScheduleToStartTimeout(QUEUE_WAIT)
        .setStartToCloseTimeout(
            Duration.ofSeconds(
                agent.timeoutSeconds() > 0 ? agent.timeoutSeconds() : DEFAULT_CALL_TIMEOUT_SECONDS))
        .setRetryOptions(
            RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(1))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofSeconds(30))
                .setMaximumAttempts(maxAttempts)
                .build());
  }

  /** True for a call that no worker picked up in time (schedule-to-start timeout). */
  private static boolean queueNotPolled(Throwable cause) {
    return cause instanceof TimeoutFailure timeout
        && timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_SCHEDULE_TO_START;
  }

  /** What a call that waited {@link #QUEUE_WAIT} on an unpolled task queue tells the user. */
  static String nobodyPolls(AgentSpec agent) {
    return "no worker polls task queue "
        + agent.taskQueue()
        + " (nothing picked the call up for "
        + QUEUE_WAIT.toMinutes()
        + " minutes): ArkAgent "
        + agent.agent()
        + " has no ready replica (scaled to 0, or stopped by its daily token budget:"
        + " BudgetExceeded?) or all its replicas are busy; check 'kubectl get arkagent "
        + agent.agent()
        + "' and its conditions, then retry the run with spec.retryOf";
  }

  private static int failedAttempts(ActivityFailure failure, int maxAttempts) {
    return switch (failure.getRetryState()) {
      case RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED -> maxAttempts;
      default -> 1;
    };
  }

  static String describe(ActivityFailure failure, AgentSpec agent, int maxAttempts) {
    Throwable cause = failure.getCause();
    String where = "LLM call to " + agent.model() + " (agent " + agent.agent() + ")";
    if (cause instanceof ApplicationFailure app) {
      String reason = app.getOriginalMessage();
      if (BudgetLedgerWorkflow.DAILY_BUDGET_EXCEEDED.equals(app.getType())) {
        return reason; // names the agent, the limit, the usage and the reset time
      }
      if (app.isNonRetryable() || !failure.getRetryState().name().contains("MAXIMUM")) {
        return where + " failed: " + reason;
      }
      return where + " failed " + maxAttempts + " times: " + reason;
    }
    if (queueNotPolled(cause)) {
      return where + " was not picked up: " + nobodyPolls(agent);
    }
    if (cause instanceof TimeoutFailure timeout
        && timeout.getTimeoutType() == TimeoutType.TIMEOUT_TYPE_HEARTBEAT) {
      return where
          + " lost its worker: no heartbeat for "
          + HEARTBEAT_TIMEOUT.toSeconds()
          + "s (the agent replica stopped?)";
    }
    if (cause instanceof TimeoutFailure) {
      boolean exhausted = failure.getRetryState().name().contains("MAXIMUM");
      return where
          + " timed out after "
          + (agent.timeoutSeconds() > 0 ? agent.timeoutSeconds() : DEFAULT_CALL_TIMEOUT_SECONDS)
          + "s"
          + (exhausted && maxAttempts > 1 ? " on each of " + maxAttempts + " attempts" : "")
          + "; raise limits.timeoutSeconds or check the provider";
    }
    return where + " failed: " + (cause == null ? failure.getMessage() : cause.getMessage());
  }
}
