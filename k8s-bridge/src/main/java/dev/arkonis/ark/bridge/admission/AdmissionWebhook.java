package dev.arkonis.ark.bridge.admission;

import dev.arkonis.ark.activities.spec.SpecValidator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's admission webhook: the {@link AdmissionServer} on every replica, with its TLS
 * material either
 *
 * <ul>
 *   <li><b>self-signed</b>: a CA and serving certificate shared through a Secret ({@link
 *       CertificateSecret}, created by the first replica) and written into the {@code caBundle} of
 *       the chart's ValidatingWebhookConfiguration ({@link WebhookRegistration#patchCaBundle}) —
 *       checked again every {@value #RENEW_CHECK_MINUTES} minutes, renewed 30 days before expiry;
 *       or
 *   <li><b>from files</b> ({@code tls.crt}, {@code tls.key}, {@code ca.crt}, e.g. a cert-manager
 *       Certificate's Secret mounted into the pod; cert-manager's CA injector fills the {@code
 *       caBundle}), read again every minute so a rotated certificate is served without a restart.
 * </ul>
 */
public final class AdmissionWebhook implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionWebhook.class);

  static final long RENEW_CHECK_MINUTES = 360;

  /**
   * @param port HTTPS port on all interfaces
   * @param namespace the operator's namespace (of the Secret and the Service)
   * @param service the Service in front of the webhook port (its DNS names go into the certificate)
   * @param tlsSecret the Secret of the self-signed material, or null with {@code certDir}
   * @param certDir the folder with mounted material, or null for self-signed
   * @param webhookConfiguration the ValidatingWebhookConfiguration whose {@code caBundle} to patch
   *     (self-signed only), or null
   */
  public record Settings(
      int port,
      String namespace,
      String service,
      String tlsSecret,
      Path certDir,
      String webhookConfiguration) {
    public Settings {
      if ((tlsSecret == null) == (certDir == null)) {
        throw new IllegalArgumentException(
            "the admission webhook needs either a TLS Secret name or a certificate folder");
      }
      if (tlsSecret != null && (namespace == null || service == null)) {
        throw new IllegalArgumentException(
            "a self-signed admission certificate needs the operator's namespace and Service name");
      }
    }
  }

  private final AdmissionServer server;

  private AdmissionWebhook(AdmissionServer server) {
    this.server = server;
  }

  /**
   * Gets the TLS material (and patches the {@code caBundle}), then serves.
   *
   * @throws RuntimeException when the material cannot be had or the configuration patched: the
   *     webhook could not be called, so the operator should not start half-working
   */
  public static AdmissionWebhook start(KubernetesClient client, Settings settings, Clock clock) {
    Supplier<ServingCertificate> certificates;
    long refresh;
    if (settings.certDir() != null) {
      certificates = () -> ServingCertificate.read(settings.certDir());
      refresh = 1;
    } else {
      CertificateSecret secret =
          new CertificateSecret(
              client,
              settings.namespace(),
              settings.tlsSecret(),
              CertificateSecret.serviceHosts(settings.service(), settings.namespace()),
              clock);
      WebhookRegistration registration = new WebhookRegistration(client);
      certificates =
          () -> {
            ServingCertificate cert = secret.ensure();
            if (settings.webhookConfiguration() != null
                && registration.patchCaBundle(settings.webhookConfiguration(), cert.caPem())) {
              LOG.info(
                  "admission webhook: caBundle of ValidatingWebhookConfiguration {} updated",
                  settings.webhookConfiguration());
            }
            return cert;
          };
      refresh = RENEW_CHECK_MINUTES;
    }
    return new AdmissionWebhook(
        new AdmissionServer(
            new AdmissionReviews(new SpecValidator(), AdmissionServer.teams(client)),
            "0.0.0.0",
            settings.port(),
            certificates,
            refresh));
  }

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }
}
