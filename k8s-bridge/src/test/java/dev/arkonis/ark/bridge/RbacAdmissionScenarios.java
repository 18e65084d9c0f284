package dev.arkonis.ark.bridge;

import static dev.arkonis.ark.bridge.RbacFixture.LEASE_NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.bridge.admission.AdmissionWebhook;
import dev.arkonis.ark.bridge.admission.ServingCertificate;
import dev.arkonis.ark.bridge.admission.WebhookRegistration;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * {@link RbacUsageTest}'s admission webhook scenario with a self-signed certificate, as the chart
 * runs it: the first replica creates the certificate Secret and patches the caBundle of the chart's
 * ValidatingWebhookConfiguration; a second replica reads the Secret; eleven months later a replica
 * renews the certificate (Secret update, caBundle patch).
 */
final class RbacAdmissionScenarios {
  static final String CONFIGURATION = "ark-operator";
  static final String SECRET = "ark-operator-admission-tls";

  private final RbacFixture cluster;

  RbacAdmissionScenarios(RbacFixture cluster) {
    this.cluster = cluster;
  }

  void admission(KubernetesClient admissionClient) {
    // What Helm installs: the configuration without a caBundle (a placeholder CA here).
    new WebhookRegistration(cluster.client())
        .registerUrl(
            CONFIGURATION,
            "https://ark-operator-admission.ark-system.svc/validate",
            ServingCertificate.generate(List.of("placeholder"), Instant.now()).caPem(),
            WebhookRegistration.Options.DEFAULT);
    AdmissionWebhook.Settings settings =
        new AdmissionWebhook.Settings(
            0, LEASE_NS, "ark-operator-admission", SECRET, null, CONFIGURATION);

    try (AdmissionWebhook first = AdmissionWebhook.start(admissionClient, settings, clock(0))) {
      assertThat(first.port()).isPositive();
    }
    String created = certificate();
    assertThat(caBundle()).isNotEmpty();
    try (AdmissionWebhook second = AdmissionWebhook.start(admissionClient, settings, clock(1))) {
      assertThat(certificate()).isEqualTo(created);
    }
    try (AdmissionWebhook later = AdmissionWebhook.start(admissionClient, settings, clock(340))) {
      assertThat(certificate()).isNotEqualTo(created);
    }
  }

  private static Clock clock(int days) {
    return Clock.offset(Clock.systemUTC(), Duration.ofDays(days));
  }

  private String certificate() {
    Secret secret = cluster.client().secrets().inNamespace(LEASE_NS).withName(SECRET).get();
    return secret.getData().get("tls.crt");
  }

  private String caBundle() {
    return cluster
        .client()
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(CONFIGURATION)
        .get()
        .getWebhooks()
        .get(0)
        .getClientConfig()
        .getCaBundle();
  }
}
