package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.dashboard.AgentLogs;
import dev.arkonis.ark.bridge.dashboard.DashboardCache;
import dev.arkonis.ark.bridge.dashboard.DashboardServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.temporal.client.WorkflowClient;
import java.io.UncheckedIOException;
import picocli.CommandLine.Option;

/**
 * The dashboard flags shared by {@code ark operator}, {@code ark dev} and {@code ark dashboard} (a
 * picocli mixin), and starting the dashboard from them.
 */
final class DashboardOptions {
  @Option(
      names = "--dashboard-port",
      paramLabel = "PORT",
      description = "Port of the dashboard (0 = any free port, -1 = no dashboard).")
  Integer port;

  @Option(
      names = "--dashboard-address",
      paramLabel = "HOST",
      description = "Address the dashboard listens on.")
  String address;

  @Option(
      names = "--dashboard-actions",
      description =
          "Let the dashboard trigger, retry and cancel runs and read agent logs (default:"
              + " read-only).")
  boolean actions;

  @Option(
      names = "--temporal-ui-url",
      paramLabel = "URL",
      defaultValue = "${env:" + OperatorRuntime.TEMPORAL_UI_URL_ENV + "}",
      description =
          "Base URL of the Temporal Web UI: the dashboard links each run to its workflow there"
              + " (default: $"
              + OperatorRuntime.TEMPORAL_UI_URL_ENV
              + ").")
  String temporalUiUrl;

  /**
   * The dashboard, or null when {@code --dashboard-port -1}.
   *
   * @param local the log of agent workers running in this process, {@link AgentLogs#NONE} for none
   */
  Running start(
      KubernetesClient client,
      WorkflowClient temporal,
      String temporalNamespace,
      String watchNamespace,
      int defaultPort,
      String defaultAddress,
      AgentLogs local) {
    int p = port == null ? defaultPort : port;
    if (p < 0) {
      return null;
    }
    if (p > 65535) {
      throw new UserError(
          "--dashboard-port " + p + " is not a port: give 0..65535, or -1 for none");
    }
    String host = address == null || address.isBlank() ? defaultAddress : address;
    DashboardCache cache = DashboardCache.start(client, watchNamespace);
    try {
      DashboardServer server =
          new DashboardServer(
              cache,
              client,
              temporal,
              new DashboardServer.Settings(
                  host, p, actions, blankToNull(temporalUiUrl), temporalNamespace),
              local);
      return new Running(cache, server, host);
    } catch (UncheckedIOException e) {
      cache.close();
      throw new UserError(
          "cannot start the dashboard: "
              + e.getMessage()
              + "; choose another port with --dashboard-port (0 = any free port)");
    }
  }

  /** A started dashboard: its cache and server, closed together. */
  record Running(DashboardCache cache, DashboardServer server, String host)
      implements AutoCloseable {
    String url() {
      String h = host.equals("0.0.0.0") ? "localhost" : host;
      return "http://" + h + ":" + server.port() + "/";
    }

    @Override
    public void close() {
      server.close();
      cache.close();
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
