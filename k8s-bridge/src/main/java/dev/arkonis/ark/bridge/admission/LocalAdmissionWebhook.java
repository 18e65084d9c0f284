package dev.arkonis.ark.bridge.admission;

import dev.arkonis.ark.activities.spec.SpecValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;

/**
 * The admission webhook served by this process on {@code 127.0.0.1} and registered with a cluster
 * by URL — for a process that runs next to the API server (ark dev against a local cluster, the
 * tests): a fresh CA and serving certificate for {@code 127.0.0.1}, the {@link AdmissionServer},
 * and a ValidatingWebhookConfiguration pointing at {@code https://127.0.0.1:<port>/validate} with
 * that CA as {@code caBundle}. {@link #close()} deletes the configuration, then stops the server.
 *
 * <pre>{@code
 * try (LocalAdmissionWebhook admission =
 *     LocalAdmissionWebhook.start(client, "ark-dev", 0, WebhookRegistration.Options.DEFAULT)) {
 *   // kubectl apply of an invalid ark object is now rejected with ark validate's message
 * }
 * }</pre>
 *
 * The API server must reach 127.0.0.1 of this machine (it runs here). With {@code failurePolicy:
 * Fail}, a process killed without {@link #close()} leaves a configuration that rejects every ark
 * write until it is deleted ({@code kubectl delete validatingwebhookconfiguration NAME}) or the
 * process starts again (the configuration is replaced).
 */
public final class LocalAdmissionWebhook implements AutoCloseable {
  private final KubernetesClient client;
  private final String configuration;
  private final AdmissionServer server;

  private LocalAdmissionWebhook(
      KubernetesClient client, String configuration, AdmissionServer server) {
    this.client = client;
    this.configuration = configuration;
    this.server = server;
  }

  /**
   * Serves on {@code 127.0.0.1:port} (0 = any free port) and registers configuration {@code
   * configuration} (created, or replaced when it exists).
   *
   * @param client the cluster to register with; ArkTeams are read with it to check ArkRun inputs
   */
  public static LocalAdmissionWebhook start(
      KubernetesClient client,
      String configuration,
      int port,
      WebhookRegistration.Options options) {
    ServingCertificate certificate =
        ServingCertificate.generate(List.of("127.0.0.1"), Instant.now());
    AdmissionServer server =
        new AdmissionServer(
            new AdmissionReviews(new SpecValidator(), AdmissionServer.teams(client)),
            "127.0.0.1",
            port,
            () -> certificate,
            0);
    try {
      new WebhookRegistration(client)
          .registerUrl(configuration, url(server.port()), certificate.caPem(), options);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return new LocalAdmissionWebhook(client, configuration, server);
  }

  /** {@code https://127.0.0.1:<port>/validate}. */
  public static String url(int port) {
    return "https://127.0.0.1:" + port + AdmissionServer.PATH;
  }

  public int port() {
    return server.port();
  }

  /** The registered configuration's name. */
  public String configuration() {
    return configuration;
  }

  @Override
  public void close() {
    try {
      new WebhookRegistration(client).unregister(configuration);
    } finally {
      server.close();
    }
  }
}
