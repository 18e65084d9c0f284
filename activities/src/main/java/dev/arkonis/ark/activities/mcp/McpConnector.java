package dev.arkonis.ark.activities.mcp;

import dev.arkonis.ark.workflows.api.McpServerSpec;
import dev.langchain4j.mcp.client.DefaultMcpClient;
import dev.langchain4j.mcp.client.McpClient;
import dev.langchain4j.mcp.client.transport.McpTransport;
import dev.langchain4j.mcp.client.transport.http.HttpMcpTransport;
import dev.langchain4j.mcp.client.transport.http.StreamableHttpMcpTransport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens an initialized MCP client for a server: picks the transport ({@code sse}, {@code
 * streamable-http}, or detection: a URL whose path ends in {@code /sse} is SSE, anything else tries
 * streamable HTTP first and falls back to SSE when the server answers but refuses it), adds the
 * server's headers ({@link McpHeaders}) and bounds the handshake by the connect timeout, so an
 * unreachable server never hangs a worker.
 */
final class McpConnector {
  private static final Logger log = LoggerFactory.getLogger(McpConnector.class);

  static final String SSE = "sse";
  static final String STREAMABLE_HTTP = "streamable-http";

  /** Idle limit of an SSE stream before the client reconnects (the server may send nothing). */
  private static final Duration SSE_STREAM_TIMEOUT = Duration.ofMinutes(5);

  private final Map<String, String> env;
  private final McpTimeouts timeouts;
  private final ExecutorService executor;

  /** An initialized client and the transport it speaks. */
  record Connection(McpClient client, String transport) {}

  McpConnector(Map<String, String> env, McpTimeouts timeouts, ExecutorService executor) {
    this.env = env;
    this.timeouts = timeouts;
    this.executor = executor;
  }

  /**
   * Connects to {@code server}.
   *
   * @throws McpUnavailableException when it cannot be reached or does not complete the handshake
   */
  Connection connect(McpServerSpec server) {
    Map<String, String> headers = McpHeaders.forServer(server.name(), env);
    if (!headers.isEmpty()) {
      log.debug("MCP server {}: sending headers {}", server.name(), headers.keySet());
    }
    String transport = transport(server);
    if (!transport.isEmpty()) {
      return open(server, transport, headers);
    }
    if (endsInSse(server.url())) {
      return open(server, SSE, headers);
    }
    try {
      return open(server, STREAMABLE_HTTP, headers);
    } catch (McpUnavailableException streamable) {
      if (McpUnavailableException.isConnectFailure(streamable)) {
        throw streamable;
      }
      log.debug(
          "MCP server {}: streamable HTTP refused ({}), trying SSE",
          server.name(),
          streamable.reason());
      try {
        return open(server, SSE, headers);
      } catch (McpUnavailableException sse) {
        sse.addSuppressed(streamable);
        throw new McpUnavailableException(
            server,
            "neither streamable HTTP ("
                + streamable.reason()
                + ") nor SSE ("
                + sse.reason()
                + ") worked",
            sse);
      }
    }
  }

  /** The configured transport, normalized: {@code sse}, {@code streamable-http} or empty. */
  static String transport(McpServerSpec server) {
    String t = server.transport() == null ? "" : server.transport().strip();
    t = t.toLowerCase(Locale.ROOT).replace('_', '-');
    return switch (t) {
      case "sse", "http-sse" -> SSE;
      case "streamable-http", "streamablehttp", "streamable", "http" -> STREAMABLE_HTTP;
      default -> "";
    };
  }

  static boolean endsInSse(String url) {
    try {
      String path = URI.create(url.strip()).getPath();
      return path != null && path.endsWith("/sse");
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private Connection open(McpServerSpec server, String transport, Map<String, String> headers) {
    AtomicBoolean abandoned = new AtomicBoolean();
    Future<McpClient> opening =
        executor.submit(
            () -> {
              McpClient client = build(server, transport, headers);
              if (abandoned.get()) {
                closeQuietly(client);
              }
              return client;
            });
    long limit = timeouts.connect().toMillis() + 500; // the client's own limit fires first
    try {
      McpClient client = opening.get(limit, TimeUnit.MILLISECONDS);
      log.debug("MCP server {} connected over {}", server.name(), transport);
      return new Connection(client, transport);
    } catch (TimeoutException e) {
      abandoned.set(true);
      if (!opening.cancel(true)) {
        try {
          closeQuietly(opening.get(0, TimeUnit.MILLISECONDS));
        } catch (Exception ignored) {
          // it failed after all: nothing to close
        }
      }
      throw new McpUnavailableException(
          server, "no answer within " + timeouts.connect().toSeconds() + " s", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new McpUnavailableException(server, McpUnavailableException.reason(cause), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      opening.cancel(true);
      throw new McpUnavailableException(server, "interrupted while connecting", e);
    }
  }

  @SuppressWarnings("removal") // HttpMcpTransport: SSE is deprecated in MCP, but servers speak it
  private McpClient build(McpServerSpec server, String transport, Map<String, String> headers) {
    McpTransport channel =
        SSE.equals(transport)
            ? new HttpMcpTransport.Builder()
                .sseUrl(server.url().strip())
                .customHeaders(Map.copyOf(headers))
                .timeout(SSE_STREAM_TIMEOUT)
                .build()
            : StreamableHttpMcpTransport.builder()
                .url(server.url().strip())
                .customHeaders(Map.copyOf(headers))
                .timeout(timeouts.connect())
                .build();
    try {
      return DefaultMcpClient.builder()
          .key(server.name())
          .clientName("ark")
          .transport(channel)
          .initializationTimeout(timeouts.connect())
          .toolExecutionTimeout(timeouts.request())
          .toolExecutionTimeoutErrorMessage(McpClientPool.TIMEOUT_MARKER)
          .autoHealthCheck(false)
          .listener(McpAnswers.INSTANCE)
          .build();
    } catch (RuntimeException e) {
      try {
        channel.close();
      } catch (IOException | RuntimeException ignored) {
        // best effort: the client failed to start
      }
      throw e;
    }
  }

  static void closeQuietly(McpClient client) {
    if (client == null) {
      return;
    }
    try {
      client.close();
    } catch (Exception e) {
      log.debug("closing an MCP client failed: {}", e.toString());
    }
  }
}
