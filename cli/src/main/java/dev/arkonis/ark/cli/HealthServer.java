package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.http.Reply;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * {@code GET /healthz} (the process is up), {@code GET /readyz} (ready to take work) and {@code GET
 * /metrics} (Prometheus, {@link PrometheusMetrics}) for the operator and agent pods and {@code ark
 * dev}, on an {@link EmbeddedServer} of its own (4 threads: a flood on the webhook port cannot
 * starve the kubelet's probes).
 */
final class HealthServer implements AutoCloseable {
  /** Readiness: null when ready, else why not. */
  interface Readiness extends Supplier<String> {}

  private final EmbeddedServer server;

  HealthServer(int port, Readiness readiness) {
    PrometheusMetrics.registry(); // joins the global registry before anything is recorded
    server =
        EmbeddedServer.builder("health", "0.0.0.0", port, HttpLimits.SMALL)
            .route("/healthz", e -> CompletableFuture.completedFuture(Reply.text(200, "ok\n")))
            .route("/metrics", e -> CompletableFuture.completedFuture(PrometheusMetrics.scrape()))
            .route(
                "/readyz",
                e -> {
                  String problem = readiness.get();
                  return CompletableFuture.completedFuture(
                      problem == null
                          ? Reply.text(200, "ready\n")
                          : Reply.text(503, problem + "\n"));
                })
            .start();
  }

  int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
