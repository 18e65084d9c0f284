package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.arkonis.ark.workflows.api.McpServerSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connection handling against a local server that refuses MCP (no MCP server needed). */
class McpClientPoolTest {
  private static final String SECRET = "Bearer s3cr3t-value";

  private HttpServer server;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private McpClientPool pool;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::refuse);
    server.start();
    pool =
        new McpClientPool(
            Map.of("MCP_KNOWLEDGE_BASE_HEADER_AUTHORIZATION", SECRET),
            new McpTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(10)));
  }

  @AfterEach
  void stop() {
    pool.close();
    server.stop(0);
  }

  private void refuse(HttpExchange exchange) throws IOException {
    try (exchange) {
      exchange.getRequestBody().readAllBytes();
      requests.add(
          exchange.getRequestMethod()
              + " "
              + exchange.getRequestURI().getPath()
              + " "
              + exchange.getRequestHeaders().getFirst("Authorization"));
      exchange.sendResponseHeaders(404, -1);
    }
  }

  private McpServerSpec server(String path, String transport) {
    return new McpServerSpec(
        "knowledge-base",
        "http://127.0.0.1:" + server.getAddress().getPort() + path,
        transport,
        null,
        "kb-headers");
  }

  @Test
  void detectionTriesStreamableHttpThenSseThenTheHttpConventionAndSendsTheHeadersToAll() {
    McpServerSpec kb = server("/mcp", "");

    McpUnavailableException e =
        catchThrowableOfType(McpUnavailableException.class, () -> pool.listTools(kb));

    assertThat(requests)
        .containsExactly("POST /mcp " + SECRET, "GET /mcp " + SECRET, "GET /mcp/health " + SECRET);
    assertThat(e.getMessage())
        .startsWith(
            "MCP server knowledge-base (" + kb.url() + ") unreachable: neither streamable HTTP")
        .contains("404", "nor the HTTP tool-server convention (GET " + kb.url() + "/health")
        .doesNotContain("s3cr3t");
  }

  @Test
  void anSseUrlOrAnExplicitTransportIsUsedDirectly() {
    catchThrowableOfType(McpUnavailableException.class, () -> pool.listTools(server("/sse", "")));
    catchThrowableOfType(
        McpUnavailableException.class, () -> pool.listTools(server("/x", "streamable-http")));
    catchThrowableOfType(McpUnavailableException.class, () -> pool.listTools(server("/y", "sse")));
    catchThrowableOfType(McpUnavailableException.class, () -> pool.listTools(server("/z", "http")));

    assertThat(requests)
        .extracting(r -> r.substring(0, r.indexOf(' ', r.indexOf(' ') + 1)))
        .containsExactly("GET /sse", "POST /x", "GET /y", "GET /z/health");
  }

  @Test
  void aRefusedConnectionDoesNotTryTheOtherTransport() {
    McpServerSpec kb = server("/mcp", "");
    server.stop(0);

    McpUnavailableException e =
        catchThrowableOfType(McpUnavailableException.class, () -> pool.listTools(kb));

    assertThat(e.reason()).isEqualTo("connection refused");
    assertThat(requests).isEmpty();
  }
}
