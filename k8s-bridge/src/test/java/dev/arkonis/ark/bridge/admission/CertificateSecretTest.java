package dev.arkonis.ark.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CertificateSecretTest {
  static final String NS = "ark-system";
  static final List<String> HOSTS = CertificateSecret.serviceHosts("ark-operator-admission", NS);

  KubernetesClient client;

  CertificateSecret secret(Instant now) {
    return new CertificateSecret(
        client, NS, "ark-admission-tls", HOSTS, Clock.fixed(now, ZoneOffset.UTC));
  }

  @Test
  void theFirstReplicaCreatesTheCertificateAndTheOthersShareIt() {
    Instant now = Instant.parse("2026-11-30T18:00:00Z");
    ServingCertificate first = secret(now).ensure();
    ServingCertificate second = secret(now.plus(Duration.ofHours(1))).ensure();

    assertThat(second).isEqualTo(first);
    assertThat(ServingCertificate.names(first.certificate())).containsExactlyElementsOf(HOSTS);
    assertThat(first.certificate().getIssuerX500Principal())
        .isEqualTo(ServingCertificate.certificates(first.caPem()).get(0).getSubjectX500Principal());
    Secret stored = client.secrets().inNamespace(NS).withName("ark-admission-tls").get();
    assertThat(stored.getType()).isEqualTo("kubernetes.io/tls");
    assertThat(stored.getData()).containsOnlyKeys("tls.crt", "tls.key", "ca.crt");
    assertThat(CertificateSecret.read(stored)).isEqualTo(first);
  }

  @Test
  void aCertificateCloseToExpiryIsRenewedStillTrustingTheOldCa() {
    Instant now = Instant.parse("2026-11-30T18:00:00Z");
    ServingCertificate old = secret(now).ensure();
    Instant later = now.plus(ServingCertificate.VALIDITY).minus(Duration.ofDays(10));

    ServingCertificate renewed = secret(later).ensure();

    assertThat(renewed.certPem()).isNotEqualTo(old.certPem());
    assertThat(renewed.serves(HOSTS, later.plus(Duration.ofDays(300)))).isTrue();
    assertThat(ServingCertificate.certificates(renewed.caPem()))
        .hasSize(2)
        .contains(ServingCertificate.certificates(old.caPem()).get(0));
    assertThat(secret(later).ensure()).isEqualTo(renewed);
  }

  @Test
  void aCertificateForOtherHostsOrUnreadableIsReplaced() {
    Instant now = Instant.parse("2026-11-30T18:00:00Z");
    ServingCertificate other =
        new CertificateSecret(
                client,
                NS,
                "ark-admission-tls",
                List.of("elsewhere"),
                Clock.fixed(now, ZoneOffset.UTC))
            .ensure();
    ServingCertificate ours = secret(now).ensure();
    assertThat(ours.certPem()).isNotEqualTo(other.certPem());
    assertThat(ours.serves(HOSTS, now)).isTrue();

    client
        .secrets()
        .inNamespace(NS)
        .withName("ark-admission-tls")
        .edit(
            s -> {
              s.getData().put("tls.key", Base64.getEncoder().encodeToString("junk".getBytes()));
              return s;
            });
    assertThat(secret(now).ensure().serves(HOSTS, now)).isTrue();
  }

  @Test
  void theCaBundleIsPatchedOnlyWhenItDiffers() {
    ServingCertificate cert = secret(Instant.now()).ensure();
    WebhookRegistration registration = new WebhookRegistration(client);
    registration.registerUrl(
        "ark-admission",
        "https://127.0.0.1:9443/validate",
        ServingCertificate.generate(List.of("x"), Instant.now()).caPem(),
        new WebhookRegistration.Options("Ignore", 5, List.of(NS), List.of()));

    assertThat(registration.patchCaBundle("ark-admission", cert.caPem())).isTrue();
    assertThat(registration.patchCaBundle("ark-admission", cert.caPem())).isFalse();

    ValidatingWebhookConfiguration config =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("ark-admission")
            .get();
    ValidatingWebhook webhook = config.getWebhooks().get(0);
    assertThat(
            new String(
                Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()),
                StandardCharsets.US_ASCII))
        .isEqualTo(cert.caPem());
    assertThat(webhook.getName()).isEqualTo(WebhookRegistration.WEBHOOK_NAME);
    assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(webhook.getRules().get(0).getResources())
        .containsExactlyInAnyOrder(
            "arkagents",
            "arkteams",
            "arkruns",
            "arkevents",
            "arkservices",
            "arksettings",
            "arkmemories",
            "arknotifies",
            "arkregistries");
    assertThat(webhook.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE");
    assertThat(webhook.getNamespaceSelector().getMatchExpressions().get(0).getValues())
        .containsExactly(NS);
  }
}
