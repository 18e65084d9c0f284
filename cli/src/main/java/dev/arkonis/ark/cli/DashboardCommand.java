package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.dashboard.AgentLogs;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ark dashboard}: the dashboard alone, on this machine, against any cluster (a kubeconfig)
 * and its Temporal server — the same pages the operator serves.
 */
@Command(
    name = "dashboard",
    description = {
      "Serve the ark dashboard on this machine for a cluster: teams, agents, runs and their",
      "DAGs, live from the cluster's watch API; per-step detail from Temporal history."
    })
final class DashboardCommand implements Callable<Integer> {
  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Kubeconfig of the cluster (default: $KUBECONFIG or ~/.kube/config).")
  Path kubeconfig;

  @Option(
      names = {"-n", "--namespace"},
      description = "Namespace to show (default: the kubeconfig context's namespace).")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Show every namespace (needs list/watch on ark objects cluster-wide).")
  boolean allNamespaces;

  @Option(
      names = "--temporal-address",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:7233",
      description = "The cluster's Temporal frontend (default: ${DEFAULT-VALUE}).")
  String temporalAddress;

  @Option(names = "--temporal-namespace", defaultValue = "default")
  String temporalNamespace;

  @Mixin DashboardOptions dashboard;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (allNamespaces && namespace != null) {
      throw new UserError("-n and --all-namespaces exclude each other: give one");
    }
    if (kubeconfig != null) {
      ClusterAccess.checkReachable(kubeconfig);
    }
    CountDownLatch stop = new CountDownLatch(1);
    try (KubernetesClient client =
            kubeconfig == null ? Kube.client() : ClusterAccess.open(kubeconfig);
        TemporalConnection temporal =
            TemporalConnection.connect(temporalAddress, temporalNamespace)) {
      String shown = allNamespaces ? null : Kube.namespace(client, namespace);
      try (DashboardOptions.Running running =
          dashboard.start(
              client,
              temporal.client(),
              temporalNamespace,
              shown,
              8080,
              "127.0.0.1",
              AgentLogs.NONE)) {
        if (running == null) {
          throw new UserError("--dashboard-port -1 leaves ark dashboard nothing to do");
        }
        spec.commandLine()
            .getOut()
            .println(
                "ark dashboard: "
                    + running.url()
                    + " ("
                    + (shown == null ? "all namespaces" : "namespace " + shown)
                    + ", Temporal "
                    + temporalAddress
                    + (dashboard.actions ? ", actions enabled" : ", read-only")
                    + "; Ctrl-C to stop)");
        spec.commandLine().getOut().flush();
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
      }
    }
    return 0;
  }
}
