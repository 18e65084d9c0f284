package dev.arkonis.ark.activities.mcp;

import dev.langchain4j.mcp.client.McpCallContext;
import dev.langchain4j.mcp.client.McpClientListener;
import dev.langchain4j.service.tool.ToolExecutionResult;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Records whether the server answered a tool call. langchain4j throws the same exception type for a
 * tool's own error and for a broken transport; the client's listener, called on the calling thread,
 * tells them apart: an answer (a result, an error result, a JSON-RPC error) versus a failed
 * exchange.
 */
final class McpAnswers implements McpClientListener {
  static final McpAnswers INSTANCE = new McpAnswers();

  private static final ThreadLocal<Boolean> ANSWERED = ThreadLocal.withInitial(() -> false);

  private McpAnswers() {}

  /** Forget the previous call on this thread. */
  static void reset() {
    ANSWERED.set(false);
  }

  /** Whether the server answered the last call made on this thread. */
  static boolean answered() {
    return ANSWERED.get();
  }

  @Override
  public void afterExecuteTool(
      McpCallContext context, ToolExecutionResult result, Map<String, Object> rawResult) {
    ANSWERED.set(true);
  }

  @Override
  public void onExecuteToolError(McpCallContext context, Throwable error) {
    ANSWERED.set(!(error instanceof ExecutionException || error instanceof TimeoutException));
  }
}
