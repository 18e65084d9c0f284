package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.OperatorRuntime;
import dev.arkonis.ark.bridge.admission.AdmissionWebhook;
import dev.arkonis.ark.bridge.dashboard.AgentLogs;
import dev.arkonis.ark.bridge.webhook.WebhookCache;
import dev.arkonis.ark.bridge.webhook.WebhookServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ark operator}: the in-cluster operator — informer bridge (leader only), orchestration
 * worker, health endpoints, ArkEvent webhooks and the validating admission webhook.
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

  @Option(
      names = "--admission-port",
      defaultValue = "${env:ARK_ADMISSION_PORT:-9443}",
      description = "HTTPS port of the validating admission webhook, POST /validate.")
  int admissionPort;

  @Option(
      names = "--admission-tls-secret",
      defaultValue = "${env:ARK_ADMISSION_TLS_SECRET}",
      description =
          "Secret (in the leader-election namespace) of the webhook's self-signed CA and serving"
              + " certificate, created by the first replica and shared by all.")
  String admissionTlsSecret;

  @Option(
      names = "--admission-cert-dir",
      defaultValue = "${env:ARK_ADMISSION_CERT_DIR}",
      description =
          "Folder with tls.crt, tls.key and ca.crt for the webhook (e.g. a cert-manager"
              + " Certificate's Secret), instead of a self-signed certificate.")
  Path admissionCertDir;

  @Option(
      names = "--admission-service",
      defaultValue = "${env:ARK_ADMISSION_SERVICE}",
      description = "Service in front of the webhook port (its DNS names go into the certificate).")
  String admissionService;

  @Option(
      names = "--admission-webhook-configuration",
      defaultValue = "${env:ARK_ADMISSION_WEBHOOK_CONFIGURATION}",
      description =
          "ValidatingWebhookConfiguration whose caBundle the operator keeps in step with its"
              + " self-signed CA.")
  String admissionWebhookConfiguration;

  /** The dashboard (default port 8082: 8080 is the health port, the kubelet's). */
  @Mixin DashboardOptions dashboard;

  static final int DASHBOARD_PORT = 8082;

  @Override
  public Integer call() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    AdmissionWebhook.Settings admission = admissionSettings();
    try (KubernetesClient client = Kube.client();
        AdmissionWebhook admissionWebhook = startAdmission(client, admission);
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
        WebhookCache webhookCache = WebhookCache.start(client, blankToNull(namespace));
        HealthServer health =
            new HealthServer(port, () -> firstProblem(runtime.notReady(), webhookCache));
        WebhookServer webhooks =
            new WebhookServer(
                webhookCache, temporal.client(), webhookPort, WebhookServer.Limits.DEFAULT);
        DashboardOptions.Running dashboardServer =
            dashboard.start(
                client,
                temporal.client(),
                temporalNamespace,
                blankToNull(namespace),
                DASHBOARD_PORT,
                "0.0.0.0",
                AgentLogs.NONE)) {
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
              + (dashboardServer == null
                  ? ", no dashboard"
                  : ", dashboard on :"
                      + dashboardServer.server().port()
                      + (dashboard.actions ? " (actions enabled)" : " (read-only)"))
              + (admissionWebhook == null
                  ? ", no admission webhook"
                  : ", admission webhook on :" + admissionWebhook.port())
              + (leaseNamespace == null || leaseNamespace.isBlank()
                  ? ""
                  : ", leader election in " + leaseNamespace));
      stop.await();
    }
    return 0;
  }

  /**
   * The admission webhook's settings, or null when neither a TLS Secret nor a certificate folder is
   * given (no webhook; e.g. the operator run by hand outside the chart).
   */
  private AdmissionWebhook.Settings admissionSettings() {
    String secret = blankToNull(admissionTlsSecret);
    if (secret == null && admissionCertDir == null) {
      return null;
    }
    if (secret != null && admissionCertDir != null) {
      throw new UserError(
          "--admission-tls-secret and --admission-cert-dir exclude each other: give one");
    }
    String namespace = blankToNull(leaseNamespace);
    if (secret != null && (namespace == null || blankToNull(admissionService) == null)) {
      throw new UserError(
          "--admission-tls-secret needs --leader-election-namespace (the operator's namespace,"
              + " $POD_NAMESPACE) and --admission-service (the webhook's Service)");
    }
    return new AdmissionWebhook.Settings(
        admissionPort,
        namespace,
        blankToNull(admissionService),
        secret,
        admissionCertDir,
        blankToNull(admissionWebhookConfiguration));
  }

  private static AdmissionWebhook startAdmission(
      KubernetesClient client, AdmissionWebhook.Settings settings) {
    if (settings == null) {
      return null;
    }
    try {
      return AdmissionWebhook.start(client, settings, java.time.Clock.systemUTC());
    } catch (RuntimeException e) {
      throw new UserError("cannot start the admission webhook: " + e.getMessage());
    }
  }

  /** Not ready while the runtime is not, or the webhook's caches are not synced yet. */
  private static String firstProblem(String runtimeProblem, WebhookCache webhookCache) {
    return runtimeProblem != null ? runtimeProblem : webhookCache.notReady();
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
