package dev.arkonis.ark.workflows.api;

/**
 * An inline HTTP tool ({@code tools[]}).
 *
 * @param name tool name the model calls
 * @param description what the tool does, for the model
 * @param url endpoint
 * @param method GET, POST, PUT, PATCH or DELETE (GET/DELETE send the arguments as query parameters,
 *     the others as a JSON body)
 * @param inputSchema JSON Schema of the arguments; calls are validated against it first
 * @param timeoutSeconds per-call timeout; 0 = default (30 s)
 */
public record HttpToolSpec(
    String name,
    String description,
    String url,
    String method,
    String inputSchema,
    int timeoutSeconds) {}
