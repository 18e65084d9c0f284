package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.webhook.EventStore;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ark operator}: the in-cluster operator — informer bridge (leader only), orchestration
 * worker, health endpoints.
 */
@Command(name = "operator", description = "Run the ark operator (bridge + orchestration worker).")
final class OperatorCommand implements Callable<Integer> {
  @Option(names = "--temporal-address", defaultValue = "127.0.0.1:7233")
  String temporalAddress;

  @Option(names = "--temporal-namespace", defaultValue = "default")
  String temporalNamespace;

  @Option(
      names = {"-n", "--namespace"},
      description = "Namespace to watch (default: all namespaces).")
  String namespace;

  @Option(names = "--port", defaultValue = "8080", description = "Health port (0 = any free).")
  int port;

  @Option(
      names = "--webhook-port",
      defaultValue = "8081",
      description = "Port of the ArkEvent webhooks, POST /triggers/<namespace>/<name>.")
  int webhookPort;

  @Option(
      names = "--agent-image",
      defaultValue = "${env:ARK_IMAGE:-ark:0.1.0}",
      description = "Default image of agent Deployments (default: $ARK_IMAGE or ${DEFAULT-VALUE}).")
  String agentImage;

  @Option(
      names = "--leader-election-namespace",
      defaultValue = "${env:POD_NAMESPACE}",
      description =
          "Namespace of the leader-election Lease (default: $POD_NAMESPACE; none = lead).")
  String leaseNamespace;

  @Option(names = "--identity", defaultValue = "${env:POD_NAME:-ark-operator}")
  String identity;

  @Override
  public Integer call() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    try (KubernetesClient client = Kube.client();
        TemporalConnection temporal =
            TemporalConnection.connect(temporalAddress, temporalNamespace);
        OperatorRuntime runtime =
            new OperatorRuntime(
                client,
                temporal.client(),
                temporal.factory(),
                new OperatorRuntime.Settings(
                    blankToNull(namespace),
                    temporalAddress,
                    temporalNamespace,
                    agentImage,
                    blankToNull(leaseNamespace),
                    identity));
        HealthServer health = new HealthServer(port, runtime::notReady);
        WebhookServer webhooks =
            new WebhookServer(
                EventStore.of(client, blankToNull(namespace)),
                temporal.client(),
                webhookPort,
                WebhookServer.Limits.DEFAULT)) {
      runtime.start();
      runtime.lostLeadership().thenRun(stop::countDown);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      System.err.println(
          "ark operator: Temporal "
              + temporalAddress
              + ", health on :"
              + health.port()
              + ", webhooks on :"
              + webhooks.port()
              + (leaseNamespace == null || leaseNamespace.isBlank()
                  ? ""
                  : ", leader election in " + leaseNamespace));
      stop.await();
    }
    return 0;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
