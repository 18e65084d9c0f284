package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * What the workflow needs to know about the agent behind a role. Secrets are never here: workers
 * read keys from their environment, and a Secret-backed system prompt travels as a {@link
 * SecretRef} resolved by the chat activity.
 *
 * @param role role name in the team
 * @param agent ArkAgent name (managed {@code <team>-<role>} or the role's {@code arkAgent})
 * @param taskQueue Temporal task queue of the agent's workers, {@code ark/<namespace>/<agent>}
 * @param model model name, e.g. {@code gpt-4o}
 * @param provider {@code openai}, {@code anthropic}, {@code ollama}, {@code gemini}, {@code mock},
 *     or empty to let the worker decide
 * @param systemPrompt system prompt (settings fragments applied); with {@code systemPromptSecret}
 *     it holds {@link SecretRef#PLACEHOLDER} where the Secret's value goes
 * @param maxTokensPerCall cap on output tokens per LLM call; 0 = provider default
 * @param timeoutSeconds start-to-close timeout of one LLM call
 * @param temperature sampling temperature, or null for the provider default
 * @param jsonMode ask the provider for JSON output ({@code outputFormat: structured-json})
 * @param canDelegate roles this role may delegate to
 * @param mcpServers MCP servers whose tools the agent may call
 * @param tools inline HTTP tools
 * @param maxDailyTokens the agent's rolling daily token budget ({@code limits.maxDailyTokens}); 0 =
 *     none. Each {@code chat} call reserves in the agent's {@link BudgetLedgerWorkflow} first.
 * @param systemPromptSecret the Secret key holding the prompt ({@code
 *     systemPromptRef.secretKeyRef}), or null
 * @param memory the agent's ArkMemory ({@code memoryRef}), or null
 */
public record AgentSpec(
    String role,
    String agent,
    String taskQueue,
    String model,
    String provider,
    String systemPrompt,
    int maxTokensPerCall,
    int timeoutSeconds,
    Double temperature,
    boolean jsonMode,
    List<String> canDelegate,
    List<McpServerSpec> mcpServers,
    List<HttpToolSpec> tools,
    long maxDailyTokens,
    SecretRef systemPromptSecret,
    MemorySpec memory) {
  /** An agent without memory. */
  public AgentSpec(
      String role,
      String agent,
      String taskQueue,
      String model,
      String provider,
      String systemPrompt,
      int maxTokensPerCall,
      int timeoutSeconds,
      Double temperature,
      boolean jsonMode,
      List<String> canDelegate,
      List<McpServerSpec> mcpServers,
      List<HttpToolSpec> tools,
      long maxDailyTokens,
      SecretRef systemPromptSecret) {
    this(
        role,
        agent,
        taskQueue,
        model,
        provider,
        systemPrompt,
        maxTokensPerCall,
        timeoutSeconds,
        temperature,
        jsonMode,
        canDelegate,
        mcpServers,
        tools,
        maxDailyTokens,
        systemPromptSecret,
        null);
  }

  /** An agent whose system prompt is all in {@code systemPrompt}. */
  public AgentSpec(
      String role,
      String agent,
      String taskQueue,
      String model,
      String provider,
      String systemPrompt,
      int maxTokensPerCall,
      int timeoutSeconds,
      Double temperature,
      boolean jsonMode,
      List<String> canDelegate,
      List<McpServerSpec> mcpServers,
      List<HttpToolSpec> tools,
      long maxDailyTokens) {
    this(
        role,
        agent,
        taskQueue,
        model,
        provider,
        systemPrompt,
        maxTokensPerCall,
        timeoutSeconds,
        temperature,
        jsonMode,
        canDelegate,
        mcpServers,
        tools,
        maxDailyTokens,
        null);
  }

  /** An agent without a daily token budget. */
  public AgentSpec(
      String role,
      String agent,
      String taskQueue,
      String model,
      String provider,
      String systemPrompt,
      int maxTokensPerCall,
      int timeoutSeconds,
      Double temperature,
      boolean jsonMode,
      List<String> canDelegate,
      List<McpServerSpec> mcpServers,
      List<HttpToolSpec> tools) {
    this(
        role,
        agent,
        taskQueue,
        model,
        provider,
        systemPrompt,
        maxTokensPerCall,
        timeoutSeconds,
        temperature,
        jsonMode,
        canDelegate,
        mcpServers,
        tools,
        0);
  }

  public AgentSpec {
    canDelegate = canDelegate == null ? List.of() : List.copyOf(canDelegate);
    mcpServers = mcpServers == null ? List.of() : List.copyOf(mcpServers);
    tools = tools == null ? List.of() : List.copyOf(tools);
  }

  /**
   * This agent with {@code secretValue} in place of {@link SecretRef#PLACEHOLDER} and no Secret
   * reference left: what the chat activity sends to the model.
   */
  public AgentSpec withResolvedPrompt(String secretValue) {
    String prompt = systemPrompt == null ? "" : systemPrompt;
    int at = prompt.indexOf(SecretRef.PLACEHOLDER);
    String resolved =
        at < 0
            ? prompt
            : prompt.substring(0, at)
                + secretValue.trim()
                + prompt.substring(at + SecretRef.PLACEHOLDER.length());
    return new AgentSpec(
        role,
        agent,
        taskQueue,
        model,
        provider,
        resolved.trim(),
        maxTokensPerCall,
        timeoutSeconds,
        temperature,
        jsonMode,
        canDelegate,
        mcpServers,
        tools,
        maxDailyTokens,
        null,
        memory);
  }

  /** True when the agent has MCP servers or HTTP tools to list. */
  public boolean hasTools() {
    return !mcpServers.isEmpty() || !tools.isEmpty();
  }
}
