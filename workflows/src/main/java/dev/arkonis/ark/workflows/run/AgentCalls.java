package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
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
      String outputSchema) {
    budget.beforeCall(step.name, agent.maxTokensPerCall());
    int maxAttempts = retries >= 0 ? retries + 1 : DEFAULT_ATTEMPTS;
    ActivityOptions options =
        ActivityOptions.newBuilder()
            .setTaskQueue(agent.taskQueue())
            .setStartToCloseTimeout(
                Duration.ofSeconds(
                    agent.timeoutSeconds() > 0
                        ? agent.timeoutSeconds()
                        : DEFAULT_CALL_TIMEOUT_SECONDS))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(1))
                    .setBackoffCoefficient(2.0)
                    .setMaximumInterval(Duration.ofSeconds(30))
                    .setMaximumAttempts(maxAttempts)
                    .build())
            .setSummary(purpose + " · step " + step.name + " · role " + agent.role())
            .build();
    AgentActivities activities = Workflow.newActivityStub(AgentActivities.class, options);
    ChatResponse response;
    try {
      response =
          activities.chat(
              new ChatRequest(purpose, step.name, agent, messages, outputSchema, List.of()));
    } catch (ActivityFailure failure) {
      step.attempts += failedAttempts(failure, maxAttempts);
      state.changed();
      throw new RunStop(Phases.FAILED, describe(failure, agent, maxAttempts));
    }
    step.attempts += response.attempt();
    step.usage = step.usage.plus(response.usage());
    state.changed();
    budget.afterCall(step.name, response.usage());
    return response;
  }

  TokenUsage used() {
    return budget.used();
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
      if (app.isNonRetryable() || !failure.getRetryState().name().contains("MAXIMUM")) {
        return where + " failed: " + reason;
      }
      return where + " failed " + maxAttempts + " times: " + reason;
    }
    if (cause instanceof TimeoutFailure) {
      return where
          + " timed out after "
          + (agent.timeoutSeconds() > 0 ? agent.timeoutSeconds() : DEFAULT_CALL_TIMEOUT_SECONDS)
          + "s; raise limits.timeoutSeconds or check the provider";
    }
    return where + " failed: " + (cause == null ? failure.getMessage() : cause.getMessage());
  }
}
