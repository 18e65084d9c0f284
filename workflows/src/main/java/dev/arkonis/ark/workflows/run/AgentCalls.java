package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TimeoutFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

/**
 * Makes LLM calls for a step: one {@code chat} activity each, on the agent's task queue, with the
 * budget checked around it and attempts and tokens recorded on the step.
 */
final class AgentCalls {
  static final int DEFAULT_ATTEMPTS = 3;
  static final int DEFAULT_CALL_TIMEOUT_SECONDS = 120;

  private final Budget budget;

  AgentCalls(Budget budget) {
    this.budget = budget;
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
            .setSummary(purpose + " · step " + step.name + " · role " + agent.role())
            .build();
    AgentActivities activities = Workflow.newActivityStub(AgentActivities.class, options);

    ChatResponse response;
    try {
      response =
          activities.chat(
              new ChatRequest(purpose, step.name, agent, messages, outputSchema, tools));
    } catch (ActivityFailure failure) {
      step.attempts = Math.max(step.attempts, 1) + failedAttempts(failure, maxAttempts) - 1;
      state.changed();
      throw new RunStop(Phases.FAILED, describe(failure, agent, maxAttempts));
    }
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
    try {
      return tools.listTools(agent);
    } catch (ActivityFailure failure) {
      Throwable cause = failure.getCause();
      String reason =
          cause instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : String.valueOf(cause);
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
    try {
      return tools.callTool(
          new ToolActivities.ToolCallRequest(agent, call.name(), call.arguments()));
    } catch (ActivityFailure failure) {
      Throwable cause = failure.getCause();
      String reason =
          cause instanceof ApplicationFailure app
              ? app.getOriginalMessage()
              : String.valueOf(cause);
      return new ToolActivities.ToolResult("tool " + call.name() + " failed: " + reason, true);
    }
  }

  Budget budget() {
    return budget;
  }

  private static ActivityOptions.Builder options(AgentSpec agent, int maxAttempts) {
    return ActivityOptions.newBuilder()
        .setTaskQueue(agent.taskQueue())
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

  private static int failedAttempts(ActivityFailure failure, int maxAttempts) {
    return switch (failure.getRetryState()) {
      case RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED -> maxAttempts;
      default -> 1;
    };
  }

  private static String describe(ActivityFailure failure, AgentSpec agent, int maxAttempts) {
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
