package dev.arkonis.ark.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} (the process is up) and {@code GET /readyz} (ready to take work) for the
 * operator and agent pods.
 */
final class HealthServer implements AutoCloseable {
  /** Readiness: null when ready, else why not. */
  interface Readiness extends Supplier<String> {}

  private final HttpServer server;

  HealthServer(int port, Readiness readiness) throws IOException {
    server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
    server.createContext(
        "/readyz",
        exchange -> {
          String problem = readiness.get();
          respond(
              exchange, problem == null ? 200 : 503, problem == null ? "ready\n" : problem + "\n");
        });
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
