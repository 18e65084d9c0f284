package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.McpServerSpec;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Request headers for an MCP server: its plain {@code mcpServers[].headers} and the secret ones
 * from the worker's environment.
 *
 * <p>An ArkAgent's {@code mcpServers[].headersFrom.secretRef} Secret reaches the agent's workers
 * through {@code envFrom}, so its keys are environment variables. The convention: a variable named
 * {@code MCP_<SERVER>_HEADER_<HEADER>} becomes header {@code <Header>} on every request to server
 * {@code <server>}, where {@code <SERVER>} is the server name in upper snake case ({@code
 * knowledge-base} → {@code KNOWLEDGE_BASE}) and {@code <HEADER>} the header name in upper snake
 * case ({@code AUTHORIZATION} → {@code Authorization}, {@code X_API_KEY} → {@code X-Api-Key}; HTTP
 * header names are case-insensitive). Example Secret:
 *
 * <pre>
 * stringData:
 *   MCP_KNOWLEDGE_BASE_HEADER_AUTHORIZATION: "Bearer s3cr3t"
 * </pre>
 *
 * <p>Header values are secrets: they are never logged and never put in messages.
 */
public final class McpHeaders {
  private McpHeaders() {}

  /** The variable prefix for a server's headers: {@code MCP_<SERVER>_HEADER_}. */
  public static String prefix(String serverName) {
    return "MCP_" + upperSnake(serverName) + "_HEADER_";
  }

  /**
   * The headers of {@code server}: its plain {@code headers}, then those found in {@code env} (a
   * Secret's value wins over a plain header of the same name).
   */
  public static Map<String, String> forServer(McpServerSpec server, Map<String, String> env) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    server.headers().forEach((name, value) -> headers.put(name.strip(), value.strip()));
    headers.putAll(forServer(server.name(), env));
    return headers;
  }

  /** The headers for {@code serverName} found in {@code env} (header name → value). */
  public static Map<String, String> forServer(String serverName, Map<String, String> env) {
    Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    if (serverName == null || serverName.isBlank() || env == null) {
      return headers;
    }
    String prefix = prefix(serverName);
    env.forEach(
        (name, value) -> {
          if (name != null
              && value != null
              && name.startsWith(prefix)
              && name.length() > prefix.length()) {
            headers.put(headerName(name.substring(prefix.length())), value.strip());
          }
        });
    return headers;
  }

  /** {@code knowledge-base} → {@code KNOWLEDGE_BASE}. */
  static String upperSnake(String name) {
    return name.strip().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
  }

  /** {@code X_API_KEY} → {@code X-Api-Key}. */
  static String headerName(String upperSnake) {
    StringBuilder header = new StringBuilder();
    for (String part : upperSnake.split("_")) {
      if (part.isEmpty()) {
        continue;
      }
      if (header.length() > 0) {
        header.append('-');
      }
      header
          .append(part.substring(0, 1).toUpperCase(Locale.ROOT))
          .append(part.substring(1).toLowerCase(Locale.ROOT));
    }
    return header.toString();
  }
}
