package dev.arkonis.ark.activities.mcp;

/**
 * One tool a server lists.
 *
 * @param name the tool's name on its server (without the {@code <server>__} prefix)
 * @param description what the tool does, possibly empty
 * @param schema the JSON Schema text of its arguments (an object schema)
 */
public record ServerTool(String name, String description, String schema) {}
