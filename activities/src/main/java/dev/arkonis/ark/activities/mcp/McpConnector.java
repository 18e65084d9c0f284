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
 * Opens an initialized client for a tool server: picks the transport ({@code sse}, {@code
 * streamable-http}, {@code http} for upstream's simple HTTP convention ({@link
 * UpstreamHttpClient}), or detection: a URL whose path ends in {@code /sse} is SSE, anything else
 * tries streamable HTTP first, then SSE, then the HTTP convention while the server answers but
 * refuses each), adds the server's headers ({@link McpHeaders}) and bounds the handshake by the
 * connect timeout, so an unreachable server never hangs a worker.
 */
final class McpConnector {
  private static final Logger log = LoggerFactory.getLogger(McpConnector.class);

  static final String SSE = "sse";
  static final String STREAMABLE_HTTP = "streamable-http";
  static final String UPSTREAM_HTTP = UpstreamHttpClient.TRANSPORT;

  /** Idle limit of an SSE stream before the client reconnects (the server may send nothing). */
  private static final Duration SSE_STREAM_TIMEOUT = Duration.ofMinutes(5);

  private final Map<String, String> env;
  private final McpTimeouts timeouts;
  private final ExecutorService executor;

  /** An initialized client and the transport it speaks. */
  record Connection(ToolServerClient client, String transport) {}

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
    Map<String, String> headers = McpHeaders.forServer(server, env);
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
    McpUnavailableException streamable;
    try {
      return open(server, STREAMABLE_HTTP, headers);
    } catch (McpUnavailableException e) {
      if (McpUnavailableException.isConnectFailure(e)) {
        throw e;
      }
      streamable = e;
    }
    log.debug(
        "MCP server {}: streamable HTTP refused ({}), trying SSE",
        server.name(),
        streamable.reason());
    McpUnavailableException sse;
    try {
      return open(server, SSE, headers);
    } catch (McpUnavailableException e) {
      sse = e;
    }
    log.debug(
        "MCP server {}: no MCP handshake ({}), trying upstream's HTTP convention",
        server.name(),
        sse.reason());
    try {
      return open(server, UPSTREAM_HTTP, headers);
    } catch (McpUnavailableException upstream) {
      upstream.addSuppressed(streamable);
      upstream.addSuppressed(sse);
      throw new McpUnavailableException(
          server,
          "neither streamable HTTP ("
              + streamable.reason()
              + ") nor SSE ("
              + sse.reason()
              + ") nor the HTTP tool-server convention ("
              + upstream.reason()
              + ") worked",
          upstream);
    }
  }

  /**
   * The configured transport, normalized: {@code sse}, {@code streamable-http}, {@code http}
   * (upstream's HTTP tool-server convention) or empty.
   */
  static String transport(McpServerSpec server) {
    String t = server.transport() == null ? "" : server.transport().strip();
    t = t.toLowerCase(Locale.ROOT).replace('_', '-');
    return switch (t) {
      case "sse", "http-sse" -> SSE;
      case "streamable-http", "streamablehttp", "streamable" -> STREAMABLE_HTTP;
      case "http" -> UPSTREAM_HTTP;
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
    Future<ToolServerClient> opening =
        executor.submit(
            () -> {
              ToolServerClient client =
                  UPSTREAM_HTTP.equals(transport)
                      ? UpstreamHttpClient.open(server.url(), headers, timeouts)
                      : new McpProtocolClient(build(server, transport, headers));
              if (abandoned.get()) {
                closeQuietly(client);
              }
              return client;
            });
    long limit = timeouts.connect().toMillis() + 500; // the client's own limit fires first
    try {
      ToolServerClient client = opening.get(limit, TimeUnit.MILLISECONDS);
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
          .toolExecutionTimeoutErrorMessage(McpProtocolClient.TIMEOUT_MARKER)
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

  static void closeQuietly(ToolServerClient client) {
    if (client != null) {
      client.close();
    }
  }
}
