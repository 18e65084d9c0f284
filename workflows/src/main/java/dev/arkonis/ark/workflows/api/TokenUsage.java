package dev.arkonis.ark.workflows.api;

/** Tokens spent by one call, one step or one run. */
public record TokenUsage(long inputTokens, long outputTokens) {
  public static final TokenUsage ZERO = new TokenUsage(0, 0);

  public long totalTokens() {
    return inputTokens + outputTokens;
  }

  public TokenUsage plus(TokenUsage other) {
    return other == null
        ? this
        : new TokenUsage(inputTokens + other.inputTokens, outputTokens + other.outputTokens);
  }
}
