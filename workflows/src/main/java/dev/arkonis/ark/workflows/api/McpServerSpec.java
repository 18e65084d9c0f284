package dev.arkonis.ark.workflows.api;

/**
 * An MCP server an agent may use ({@code mcpServers[]}).
 *
 * @param name server name; its tools are offered as {@code <name>__<tool>}
 * @param url SSE or streamable-HTTP endpoint
 * @param transport {@code sse}, {@code streamable-http}, or empty to detect
 * @param guidance how to use the server, added to the agent's system prompt
 * @param headersSecret name of a Secret holding request headers, or null
 */
public record McpServerSpec(
    String name, String url, String transport, String guidance, String headersSecret) {}
