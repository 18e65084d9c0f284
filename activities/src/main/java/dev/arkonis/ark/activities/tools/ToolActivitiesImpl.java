package dev.arkonis.ark.activities.tools;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.mcp.McpClientPool;
import dev.arkonis.ark.activities.mcp.McpUnavailableException;
import dev.arkonis.ark.activities.mcp.ServerTool;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.McpServerSpec;
import dev.arkonis.ark.workflows.api.ToolActivities;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tool activities: {@code listTools} and {@code callTool} for an agent's MCP servers ({@code
 * mcpServers[]}, tools named {@code <server>__<tool>}) and inline HTTP tools ({@code tools[]}).
 *
 * <p>Register one instance per worker process next to the agent activities and close it on shutdown
 * (it holds the MCP connections):
 *
 * <pre>{@code
 * ToolActivitiesImpl tools = new ToolActivitiesImpl();   // reads System.getenv()
 * worker.registerActivitiesImplementations(new AgentActivitiesImpl(models), tools);
 * ...
 * factory.shutdown(); tools.close();
 * }</pre>
 *
 * <p>Environment: {@code MCP_<SERVER>_HEADER_<HEADER>} request headers for an MCP server (see
 * {@link dev.arkonis.ark.activities.mcp.McpHeaders}; the agent's {@code headersFrom} Secret
 * delivered with {@code envFrom}), {@code MCP_CONNECT_TIMEOUT_SECONDS} (default 10) and {@code
 * MCP_REQUEST_TIMEOUT_SECONDS} (default 30).
 *
 * <p>Failures: an MCP server that cannot be listed becomes a line in {@link ToolList#problems()}; a
 * tool's own error, a non-2xx HTTP answer, arguments that violate the schema and an unknown tool
 * name are {@link ToolResult}s with {@code error = true} (the model can recover); an unreachable
 * server or endpoint throws a retryable {@code ApplicationFailure} of type {@value
 * ToolFailures#TOOL_UNAVAILABLE}. Results are capped at {@value ToolFailures#MAX_RESULT_BYTES}
 * bytes. Each call is measured ({@link ArkMetrics#toolCall}: server {@code http} for inline tools,
 * tool {@value ArkMetrics#UNKNOWN_TOOL} for a name the agent does not have).
 */
public final class ToolActivitiesImpl implements ToolActivities, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ToolActivitiesImpl.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMPTY_OBJECT_SCHEMA = "{\"type\":\"object\",\"properties\":{}}";

  private final McpClientPool mcp;
  private final ArkMetrics metrics;
  private final HttpTools http = new HttpTools();
  private final ExecutorService listers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ark-tools-list");
            t.setDaemon(true);
            return t;
          });

  /** Headers and timeouts from the process environment. */
  public ToolActivitiesImpl() {
    this(System.getenv());
  }

  /**
   * @param env the worker's environment (MCP headers and timeouts)
   */
  public ToolActivitiesImpl(Map<String, String> env) {
    this(new McpClientPool(env));
  }

  /**
   * @param mcp the MCP clients to use; closed with this object
   */
  public ToolActivitiesImpl(McpClientPool mcp) {
    this(mcp, ArkMetrics.global());
  }

  /**
   * @param mcp the MCP clients to use; closed with this object
   * @param metrics where tool call latency is recorded
   */
  public ToolActivitiesImpl(McpClientPool mcp, ArkMetrics metrics) {
    this.mcp = mcp;
    this.metrics = metrics;
  }

  @Override
  public ToolList listTools(AgentSpec agent) {
    List<CompletableFuture<Listing>> listings = new ArrayList<>();
    for (McpServerSpec server : agent.mcpServers()) {
      listings.add(CompletableFuture.supplyAsync(() -> list(server), listers));
    }
    List<ToolSpec> tools = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (CompletableFuture<Listing> listing : listings) {
      Listing result = listing.join();
      tools.addAll(result.tools());
      if (result.problem() != null) {
        problems.add(result.problem());
      }
    }
    for (HttpToolSpec tool : agent.tools()) {
      String schema = tool.inputSchema();
      tools.add(
          new ToolSpec(
              tool.name(),
              tool.description() == null ? "" : tool.description(),
              schema == null || schema.isBlank() ? EMPTY_OBJECT_SCHEMA : schema));
    }
    log.debug(
        "listTools agent={}: {} tools, {} problems", agent.agent(), tools.size(), problems.size());
    return new ToolList(tools, problems);
  }

  private record Listing(List<ToolSpec> tools, String problem) {}

  private Listing list(McpServerSpec server) {
    try {
      List<ToolSpec> tools = new ArrayList<>();
      for (ServerTool tool : mcp.listTools(server)) {
        tools.add(
            new ToolSpec(
                server.name() + MCP_SEPARATOR + tool.name(), tool.description(), tool.schema()));
      }
      return new Listing(tools, null);
    } catch (McpUnavailableException e) {
      log.warn("{}", e.getMessage());
      return new Listing(List.of(), e.getMessage() + "; its tools are unavailable");
    } catch (RuntimeException e) { // e.g. a tool schema the client cannot read
      String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      log.warn("MCP server {}: listing tools failed: {}", server.name(), reason);
      return new Listing(
          List.of(),
          "MCP server "
              + server.name()
              + " ("
              + server.url()
              + ") could not list its tools: "
              + reason
              + "; its tools are unavailable");
    }
  }

  @Override
  public ToolResult callTool(ToolCallRequest request) {
    AgentSpec agent = request.agent();
    String name = request.tool() == null ? "" : request.tool().strip();
    JsonNode arguments;
    try {
      String text = request.arguments();
      arguments = JSON.readTree(text == null || text.isBlank() ? "{}" : text);
    } catch (JsonProcessingException e) {
      return new ToolResult(
          "the arguments for \"" + name + "\" are not valid JSON: " + e.getOriginalMessage(), true);
    }
    if (arguments == null || !arguments.isObject()) {
      return new ToolResult("the arguments for \"" + name + "\" must be a JSON object", true);
    }
    for (McpServerSpec server : agent.mcpServers()) {
      String prefix = server.name() + MCP_SEPARATOR;
      if (name.startsWith(prefix) && name.length() > prefix.length()) {
        return callMcp(agent, server, name.substring(prefix.length()), arguments);
      }
    }
    for (HttpToolSpec tool : agent.tools()) {
      if (name.equals(tool.name())) {
        long started = System.nanoTime();
        String outcome = "unavailable";
        try {
          ToolResult result = http.call(tool, arguments); // read up to the cap already
          outcome = outcome(result);
          return result;
        } finally {
          metrics.toolCall("http", tool.name(), outcome, since(started));
        }
      }
    }
    metrics.toolCall("", ArkMetrics.UNKNOWN_TOOL, "error", Duration.ZERO);
    return unknown(agent, name, null);
  }

  private static String outcome(ToolResult result) {
    return result.error() ? "error" : ArkMetrics.SUCCESS;
  }

  private static Duration since(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  private ToolResult callMcp(
      AgentSpec agent, McpServerSpec server, String tool, JsonNode arguments) {
    long started = System.nanoTime();
    String label = ArkMetrics.UNKNOWN_TOOL; // until the server lists it: a model's invention
    String outcome = "unavailable";
    try {
      if (!mcp.toolNames(server).contains(tool)
          && mcp.listTools(server).stream().noneMatch(t -> t.name().equals(tool))) {
        outcome = "error";
        return unknown(agent, server.name() + MCP_SEPARATOR + tool, server); // checked fresh
      }
      label = tool;
      ToolResult result = mcp.call(server, tool, arguments.toString());
      log.debug("callTool {}{}{}: error={}", server.name(), MCP_SEPARATOR, tool, result.error());
      outcome = outcome(result);
      return capped(result);
    } catch (McpUnavailableException e) {
      throw ToolFailures.unavailable(e.getMessage(), e);
    } finally {
      metrics.toolCall(server.name(), label, outcome, since(started));
    }
  }

  /** The error result for a name the agent has no tool for, listing the ones it has. */
  private ToolResult unknown(AgentSpec agent, String name, McpServerSpec known) {
    Set<String> available = new LinkedHashSet<>();
    for (McpServerSpec server : agent.mcpServers()) {
      if (known != null && !known.equals(server)) {
        continue; // the server was named: list its tools only
      }
      try {
        mcp.toolNames(server).forEach(t -> available.add(server.name() + MCP_SEPARATOR + t));
      } catch (RuntimeException e) {
        available.add(server.name() + MCP_SEPARATOR + "* (server unreachable)");
      }
    }
    if (known == null) {
      agent.tools().forEach(t -> available.add(t.name()));
    }
    return new ToolResult(
        "unknown tool \""
            + name
            + "\"; available: "
            + (available.isEmpty() ? "(none)" : String.join(", ", available)),
        true);
  }

  private static ToolResult capped(ToolResult result) {
    String text = ToolFailures.cap(result.text());
    return text.equals(result.text()) ? result : new ToolResult(text, result.error());
  }

  /** Closes the MCP connections. */
  @Override
  public void close() {
    listers.shutdownNow();
    mcp.close();
  }
}
