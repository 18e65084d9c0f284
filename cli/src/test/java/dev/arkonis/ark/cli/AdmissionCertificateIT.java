package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arkonis.ark.bridge.admission.AdmissionWebhook;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The admission webhook's self-signed certificate under the Helm chart's RBAC, on the rig's real
 * kube-apiserver ({@code ARK_TEST_KUBECONFIG}), in a namespace of its own.
 */
class AdmissionCertificateIT {
  private static KubernetesClient client;
  private static String namespace;

  @BeforeAll
  static void setUp() throws Exception {
    String path = System.getenv("ARK_TEST_KUBECONFIG");
    if (path == null || path.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the integration tests with scripts/test, which"
              + " starts a local API server (scripts/cluster up) and sets it");
    }
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(Path.of(path))))
            .build();
    namespace = "ark-admission-cert-" + UUID.randomUUID().toString().substring(0, 8);
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @AfterAll
  static void tearDown() {
    if (client == null) {
      return;
    }
    if (namespace != null) {
      client.namespaces().withName(namespace).delete();
    }
    client.close();
  }

  /**
   * The in-cluster TLS path under the chart's own RBAC on an RBAC-enforcing API server: the chart's
   * admission Role, ClusterRole and bindings (release = this test's namespace) and its
   * ValidatingWebhookConfiguration (made inert: it matches no namespace) are applied; the
   * operator's {@link AdmissionWebhook}, with a token of the chart's ServiceAccount, creates the
   * certificate Secret and patches the caBundle; a second replica shares it; eleven months later
   * one renews it (Secret update, patch). A missing permission would be a 403 here.
   */
  @Test
  void theChartsRbacLetsTheOperatorKeepItsSelfSignedCertificate() throws Exception {
    String release = "adm" + namespace.substring(namespace.lastIndexOf('-') + 1);
    String name = release + "-operator";
    List<HasMetadata> chart =
        ChartFixture.parse(
            new ChartRenderer(ChartFixture.chartDir()).render(release, namespace, Map.of()));
    List<HasMetadata> applied = new ArrayList<>();
    try {
      client
          .serviceAccounts()
          .inNamespace(namespace)
          .resource(
              new ServiceAccountBuilder().withNewMetadata().withName(name).endMetadata().build())
          .create();
      for (HasMetadata object : chart) {
        boolean admissionRbac =
            object.getMetadata().getName().equals(name + "-admission")
                && object.getKind().matches("(Cluster)?Role(Binding)?");
        if (object instanceof ValidatingWebhookConfiguration config) {
          config
              .getWebhooks()
              .get(0)
              .getNamespaceSelector()
              .getMatchExpressions()
              .get(0)
              .setValues(List.of("no-namespace-" + release));
          applied.add(client.resource(config).create());
        } else if (admissionRbac) {
          applied.add(client.resource(object).create());
        }
      }
      assertThat(applied).extracting(HasMetadata::getKind).hasSize(5);
      String token =
          client
              .serviceAccounts()
              .inNamespace(namespace)
              .withName(name)
              .tokenRequest(
                  new TokenRequestBuilder()
                      .withNewSpec()
                      .withExpirationSeconds(600L)
                      .endSpec()
                      .build())
              .getStatus()
              .getToken();
      AdmissionWebhook.Settings settings =
          new AdmissionWebhook.Settings(
              0, namespace, name + "-admission", name + "-admission-tls", null, name);
      try (KubernetesClient operator =
          new KubernetesClientBuilder()
              .withConfig(
                  new ConfigBuilder(client.getConfiguration())
                      .withOauthToken(token)
                      .withUsername(null)
                      .withPassword(null)
                      .withClientCertData(null)
                      .withClientKeyData(null)
                      .withClientCertFile(null)
                      .withClientKeyFile(null)
                      .build())
              .build()) {
        await(
            () -> {
              try (AdmissionWebhook first =
                  AdmissionWebhook.start(operator, settings, Clock.systemUTC())) {
                return first.port() > 0;
              }
            });
        String created = secretCertificate(name + "-admission-tls");
        assertThat(caBundle(name)).isNotEmpty();
        try (AdmissionWebhook second =
            AdmissionWebhook.start(operator, settings, Clock.systemUTC())) {
          assertThat(secretCertificate(name + "-admission-tls")).isEqualTo(created);
        }
        String bundle = caBundle(name);
        try (AdmissionWebhook later =
            AdmissionWebhook.start(
                operator, settings, Clock.offset(Clock.systemUTC(), Duration.ofDays(340)))) {
          assertThat(secretCertificate(name + "-admission-tls")).isNotEqualTo(created);
          assertThat(caBundle(name)).isNotEqualTo(bundle);
        }
      }
    } finally {
      for (HasMetadata object : applied) {
        client.resource(object).delete();
      }
    }
  }

  /** Retries while RBAC caches catch up with the just-created bindings (a few seconds at most). */
  private static void await(java.util.concurrent.Callable<Boolean> action) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (true) {
      try {
        assertThat(action.call()).isTrue();
        return;
      } catch (RuntimeException e) {
        if (System.nanoTime() > deadline || !String.valueOf(e.getMessage()).contains("403")) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static String secretCertificate(String secret) {
    return client.secrets().inNamespace(namespace).withName(secret).get().getData().get("tls.crt");
  }

  private static String caBundle(String configuration) {
    return client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .withName(configuration)
        .get()
        .getWebhooks()
        .get(0)
        .getClientConfig()
        .getCaBundle();
  }
}
