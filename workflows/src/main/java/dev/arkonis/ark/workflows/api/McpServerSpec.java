package dev.arkonis.ark.workflows.api;

import java.util.Map;

/**
 * A tool server an agent may use ({@code mcpServers[]}).
 *
 * @param name server name; its tools are offered as {@code <name>__<tool>}
 * @param url SSE, streamable-HTTP or upstream HTTP-convention endpoint
 * @param transport {@code sse}, {@code streamable-http}, {@code http} (upstream's simple HTTP
 *     convention), or empty to detect
 * @param guidance how to use the server, added to the agent's system prompt
 * @param headersSecret name of a Secret holding request headers, or null
 * @param headers plain request headers ({@code mcpServers[].headers}), or null (older histories)
 */
public record McpServerSpec(
    String name,
    String url,
    String transport,
    String guidance,
    String headersSecret,
    Map<String, String> headers) {
  public McpServerSpec {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  /** A server without plain headers. */
  public McpServerSpec(
      String name, String url, String transport, String guidance, String headersSecret) {
    this(name, url, transport, guidance, headersSecret, Map.of());
  }
}
