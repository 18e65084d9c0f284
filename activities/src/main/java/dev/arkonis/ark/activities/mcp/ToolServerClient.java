package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import java.util.List;

/**
 * An open client of one tool server: a real MCP server ({@link McpProtocolClient}) or a server in
 * upstream's simple HTTP convention ({@link UpstreamHttpClient}). Exceptions mean the exchange
 * failed (the server is unreachable or broken); a tool's own error is an error {@link ToolResult}.
 */
interface ToolServerClient extends AutoCloseable {
  /**
   * The server's tools.
   *
   * @param fresh ask the server even when the tools were listed before
   */
  List<ServerTool> listTools(boolean fresh) throws Exception;

  /**
   * Calls a tool.
   *
   * @param arguments a JSON object
   */
  ToolResult call(String tool, String arguments) throws Exception;

  @Override
  void close();
}
