package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * What the workflow needs to know about the agent behind a role. Secrets are never here: workers
 * read keys from their environment.
 *
 * @param role role name in the team
 * @param agent ArkAgent name (managed {@code <team>-<role>} or the role's {@code arkAgent})
 * @param taskQueue Temporal task queue of the agent's workers, {@code ark/<namespace>/<agent>}
 * @param model model name, e.g. {@code gpt-4o}
 * @param provider {@code openai}, {@code anthropic}, {@code ollama}, {@code gemini}, {@code mock},
 *     or empty to let the worker decide
 * @param systemPrompt resolved system prompt (settings fragments applied)
 * @param maxTokensPerCall cap on output tokens per LLM call; 0 = provider default
 * @param timeoutSeconds start-to-close timeout of one LLM call
 * @param temperature sampling temperature, or null for the provider default
 * @param jsonMode ask the provider for JSON output ({@code outputFormat: structured-json})
 * @param canDelegate roles this role may delegate to
 * @param mcpServers MCP servers whose tools the agent may call
 * @param tools inline HTTP tools
 * @param maxDailyTokens the agent's rolling daily token budget ({@code limits.maxDailyTokens}); 0 =
 *     none. Each {@code chat} call reserves in the agent's {@link BudgetLedgerWorkflow} first.
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
    long maxDailyTokens) {
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

  /** True when the agent has MCP servers or HTTP tools to list. */
  public boolean hasTools() {
    return !mcpServers.isEmpty() || !tools.isEmpty();
  }
}
