package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.ToolActivities.ToolResult;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.exception.ToolArgumentsException;
import dev.langchain4j.exception.ToolExecutionException;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.service.tool.ToolExecutionResult;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real MCP server, through langchain4j's initialized MCP client. */
final class McpProtocolClient implements ToolServerClient {
  private static final Logger log = LoggerFactory.getLogger(McpProtocolClient.class);

  /** What the langchain4j client answers when a tool call times out (recognized, not shown). */
  static final String TIMEOUT_MARKER = "ark: the MCP tool call timed out";

  private final McpClient client;

  McpProtocolClient(McpClient client) {
    this.client = client;
  }

  @Override
  public List<ServerTool> listTools(boolean fresh) {
    if (fresh && client instanceof DefaultMcpClient cached) {
      cached.evictToolListCache();
    }
    return client.listTools().stream().map(McpProtocolClient::tool).toList();
  }

  private static ServerTool tool(ToolSpecification spec) {
    return new ServerTool(
        spec.name(),
        spec.description() == null ? "" : spec.description(),
        McpSchemaText.of(spec.parameters()));
  }

  @Override
  public ToolResult call(String tool, String arguments) throws TimeoutException {
    ToolExecutionRequest request =
        ToolExecutionRequest.builder().name(tool).arguments(arguments).build();
    ToolExecutionResult result;
    McpAnswers.reset();
    try {
      result = client.executeTool(request);
    } catch (ToolArgumentsException e) {
      return new ToolResult("invalid arguments: " + message(e), true);
    } catch (ToolExecutionException e) {
      if (!McpAnswers.answered()) {
        throw e; // the exchange failed: not the tool's answer
      }
      return new ToolResult(message(e), true);
    } catch (RuntimeException e) {
      String message = e.getMessage() == null ? "" : e.getMessage();
      if (message.startsWith("Unsupported content type")) {
        return new ToolResult(
            "the tool answered with content other than text (" + message + ")", true);
      }
      throw e;
    }
    String text = result.resultText();
    if (TIMEOUT_MARKER.equals(text)) {
      throw new TimeoutException("the tool call got no answer");
    }
    return new ToolResult(text == null ? "" : text, Boolean.TRUE.equals(result.isError()));
  }

  private static String message(Exception e) {
    String message = e.getMessage();
    return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
  }

  @Override
  public void close() {
    try {
      client.close();
    } catch (Exception e) {
      log.debug("closing an MCP client failed: {}", e.toString());
    }
  }
}
