package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.TokenUsage;

/**
 * The run's token budget ({@code maxTokens}): checked before each call with the call's max tokens
 * and after each call with the real usage.
 */
final class Budget {
  private final long limit;
  private TokenUsage used = TokenUsage.ZERO;

  Budget(long limit) {
    this(limit, TokenUsage.ZERO);
  }

  /** A budget of which {@code used} is already spent (a task that continued as new). */
  Budget(long limit, TokenUsage used) {
    this.limit = limit;
    this.used = used;
  }

  TokenUsage used() {
    return used;
  }

  /** Tokens left for delegated work, or 0 when the run has no budget. */
  long remaining() {
    return limit <= 0 ? 0 : Math.max(1, limit - used.totalTokens());
  }

  /** Refuses a call that could take the run past its budget. */
  void beforeCall(String step, int maxTokensPerCall) {
    if (limit <= 0) {
      return;
    }
    long next = used.totalTokens() + Math.max(maxTokensPerCall, 0);
    if (used.totalTokens() >= limit || (maxTokensPerCall > 0 && next > limit)) {
      throw new RunStop(
          Phases.BUDGET_EXCEEDED,
          "token budget of "
              + limit
              + " would be exceeded by step "
              + step
              + " ("
              + used.totalTokens()
              + " used, next call may use "
              + maxTokensPerCall
              + "); raise spec.maxTokens");
    }
  }

  /** Records a call's usage; stops the run when it crossed the budget. */
  void afterCall(String step, TokenUsage usage) {
    used = used.plus(usage);
    if (limit > 0 && used.totalTokens() > limit) {
      throw new RunStop(
          Phases.BUDGET_EXCEEDED,
          "token budget of "
              + limit
              + " exceeded by step "
              + step
              + " ("
              + used.totalTokens()
              + " used); raise spec.maxTokens");
    }
  }
}
