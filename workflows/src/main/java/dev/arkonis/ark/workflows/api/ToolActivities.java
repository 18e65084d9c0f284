package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.List;

/**
 * Tool activities, executed by an agent's workers on its task queue next to {@code chat}: every
 * tool call is its own activity, with its own timeout and retries, visible in the run's history.
 */
@ActivityInterface
public interface ToolActivities {
  /** Separator between MCP server and tool in the names the model sees: {@code kb__search}. */
  String MCP_SEPARATOR = "__";

  /** Error type of a tool or MCP server that cannot be reached (retried with backoff). */
  String TOOL_UNAVAILABLE = "ToolUnavailable";

  /**
   * The tools an agent can use: every MCP server's tools (named {@code <server>__<tool>}) and the
   * inline HTTP tools. An unreachable server is reported in {@link ToolList#problems()}, not
   * thrown, so the other tools stay usable.
   */
  @ActivityMethod(name = "listTools")
  ToolList listTools(AgentSpec agent);

  /**
   * Calls one tool. Failures the model can react to (bad arguments, HTTP 4xx/5xx, a tool error)
   * come back as a result with {@code error = true}; only infrastructure failures throw.
   */
  @ActivityMethod(name = "callTool")
  ToolResult callTool(ToolCallRequest request);

  /** Tools offered to the model and problems met while listing them. */
  record ToolList(List<ChatRequest.ToolSpec> tools, List<String> problems) {
    public ToolList {
      tools = tools == null ? List.of() : List.copyOf(tools);
      problems = problems == null ? List.of() : List.copyOf(problems);
    }
  }

  /**
   * One call.
   *
   * @param agent the calling agent (its MCP servers and HTTP tools)
   * @param tool the name the model used ({@code <server>__<tool>} or an HTTP tool's name)
   * @param arguments JSON arguments from the model
   */
  record ToolCallRequest(AgentSpec agent, String tool, String arguments) {}

  /** What the tool returned (text for the model), and whether it is an error report. */
  record ToolResult(String text, boolean error) {}
}
