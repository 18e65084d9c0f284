package dev.arkonis.ark.activities.mcp;

import java.time.Duration;
import java.util.Map;

/**
 * Limits of MCP traffic.
 *
 * @param connect connecting and the MCP handshake (default 10 s)
 * @param request one request: listing tools, calling a tool (default 30 s)
 */
public record McpTimeouts(Duration connect, Duration request) {
  /** 10 s to connect, 30 s per request. */
  public static final McpTimeouts DEFAULT =
      new McpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(30));

  /** Variable overriding the connect timeout, in seconds. */
  public static final String CONNECT_VARIABLE = "MCP_CONNECT_TIMEOUT_SECONDS";

  /** Variable overriding the request timeout (tool calls), in seconds. */
  public static final String REQUEST_VARIABLE = "MCP_REQUEST_TIMEOUT_SECONDS";

  /**
   * The defaults, overridden by {@value #CONNECT_VARIABLE} and {@value #REQUEST_VARIABLE} when set
   * to a positive number of seconds.
   */
  public static McpTimeouts from(Map<String, String> env) {
    return new McpTimeouts(
        seconds(env, CONNECT_VARIABLE, DEFAULT.connect()),
        seconds(env, REQUEST_VARIABLE, DEFAULT.request()));
  }

  private static Duration seconds(Map<String, String> env, String name, Duration fallback) {
    String value = env == null ? null : env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long seconds = Long.parseLong(value.strip());
      return seconds > 0 ? Duration.ofSeconds(seconds) : fallback;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
