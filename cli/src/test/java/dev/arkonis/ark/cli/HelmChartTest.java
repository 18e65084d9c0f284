package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.ChartFixture.KUBE;
import static dev.arkonis.ark.cli.ChartFixture.NAMESPACE;
import static dev.arkonis.ark.cli.ChartFixture.NAMESPACED_VALUES;
import static dev.arkonis.ark.cli.ChartFixture.RELEASE;
import static dev.arkonis.ark.cli.ChartFixture.chartDir;
import static dev.arkonis.ark.cli.ChartFixture.fileNames;
import static dev.arkonis.ark.cli.ChartFixture.namespacedValues;
import static dev.arkonis.ark.cli.ChartFixture.only;
import static dev.arkonis.ark.cli.ChartFixture.parse;
import static dev.arkonis.ark.cli.ChartFixture.render;
import static dev.arkonis.ark.cli.ChartFixture.resource;
import static dev.arkonis.ark.cli.ChartFixture.split;
import static dev.arkonis.ark.cli.ChartRenderer.YAML;
import static dev.arkonis.ark.cli.ChartRenderer.helmBinary;
import static dev.arkonis.ark.cli.ChartRenderer.run;
import static dev.arkonis.ark.cli.ChartRenderer.yamlMap;
import static dev.arkonis.ark.cli.RbacContractTest.ARK_KINDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.admission.AdmissionServer;
import dev.arkonis.ark.bridge.admission.WebhookRegistration;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.workflows.template.Template;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart in {@code deploy/helm/ark}: it renders to valid Kubernetes objects, wires the
 * values into the operator Deployment and ships the CRDs of the {@code crds} module unchanged. The
 * RBAC it grants is checked by {@link RbacContractTest}.
 *
 * <p>The chart's templates keep to the part of Helm's template language that ark's own Go-template
 * engine ({@link Template}) renders, so every check runs on any machine with {@link ChartRenderer};
 * when a real {@code helm} binary is found (on PATH, {@code $HELM}, or {@code ~/go/bin}), {@code
 * helm template} output is checked to be the same objects and {@code helm lint --strict} to pass.
 */
class HelmChartTest {

  // ---------------------------------------------------------------------------------------------
  // CRDs

  @Test
  void chartCrdsAreTheCrdsModuleSourceUnchanged() throws IOException {
    Path source = Cli.repoRoot().resolve("crds/src/main/resources/crds");
    Path inChart = chartDir().resolve("crds");

    assertThat(fileNames(inChart)).isEqualTo(fileNames(source)).hasSize(ARK_KINDS.size());
    for (String name : fileNames(source)) {
      assertThat(Files.mismatch(source.resolve(name), inChart.resolve(name)))
          .as("deploy/helm/ark/crds/%s differs from crds/src/main/resources/crds/%s", name, name)
          .isEqualTo(-1L);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering with the default values
  @Test
  void defaultValuesRenderTheOperatorObjects() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .containsExactlyInAnyOrder(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Deployment",
            "Service",
            // the admission webhook (self-signed certificate)
            "Service",
            "ValidatingWebhookConfiguration",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding");
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getLabels())
          .as(o.getKind())
          .containsEntry("app.kubernetes.io/instance", RELEASE)
          .containsEntry("app.kubernetes.io/managed-by", "Helm");
      boolean clusterScoped =
          o.getKind().startsWith("Cluster") || o.getKind().equals("ValidatingWebhookConfiguration");
      assertThat(o.getMetadata().getNamespace())
          .as(o.getKind())
          .isEqualTo(clusterScoped ? null : NAMESPACE);
    }

    Deployment deployment = only(objects, Deployment.class);
    assertThat(deployment.getMetadata().getName()).isEqualTo("ark-operator");
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getImage()).isEqualTo("ark:0.1.0");
    assertThat(operator.getArgs())
        .containsExactly(
            "operator",
            "--temporal-address",
            "temporal-frontend.temporal:7233",
            "--temporal-namespace",
            "default",
            "--dashboard-port",
            "8082");
    assertThat(operator.getPorts())
        .extracting(ContainerPort::getName, ContainerPort::getContainerPort)
        .containsExactly(
            Tuple.tuple("http", 8080),
            Tuple.tuple("webhook", 8081),
            Tuple.tuple("dashboard", 8082),
            Tuple.tuple("admission", 9443));
    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("http");
    assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(env(operator))
        .containsEntry("ARK_IMAGE", "ark:0.1.0")
        .containsEntry("ARK_WEBHOOK_BASE_URL", "http://ark-operator.ark-system.svc:8081")
        .containsKeys("POD_NAME", "POD_NAMESPACE")
        .doesNotContainKey("ARK_TEMPORAL_TLS_CERT");

    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertThat(podLabels).containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());

    ServiceAccount account = only(objects, ServiceAccount.class);
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(account.getMetadata().getName());

    Service service = RbacContractTest.named(objects, Service.class, "ark-operator");
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts())
        .extracting(p -> p.getName(), p -> p.getPort(), p -> p.getTargetPort().getStrVal())
        .containsExactly(
            Tuple.tuple("webhook", 8081, "webhook"),
            Tuple.tuple("metrics", 8080, "http"),
            Tuple.tuple("dashboard", 8082, "dashboard"));
  }

  @Test
  void valuesReachTheDeployment() throws IOException {
    List<HasMetadata> objects = parse(render(namespacedValues()));

    Container operator =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(operator.getArgs())
        .containsExactly(
            "operator",
            "--temporal-address",
            "my-ns.a1b2c.tmprl.cloud:7233",
            "--temporal-namespace",
            "my-ns.a1b2c",
            "--namespace",
            "team-a",
            "--dashboard-port",
            "8082");
    assertThat(operator.getImage()).isEqualTo("registry.example.com/ark:0.2.0-rc1");
    assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
    assertThat(env(operator))
        .containsEntry("ARK_WEBHOOK_BASE_URL", "https://ark.example.com")
        .containsEntry("ARK_TEMPORAL_TLS_CERT", "/etc/ark/temporal-tls/tls.crt")
        .containsEntry("ARK_TEMPORAL_TLS_KEY", "/etc/ark/temporal-tls/tls.key")
        .containsEntry("ARK_TEMPORAL_TLS_SECRET", "temporal-mtls")
        .containsEntry("LOG_LEVEL", "debug");
    assertThat(operator.getEnvFrom().get(0).getSecretRef().getName()).isEqualTo("ark-api-keys");
    assertThat(operator.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/ark/temporal-tls"));
    assertThat(only(objects, Deployment.class).getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v -> v.getSecret() != null && "temporal-mtls".equals(v.getSecret().getSecretName()));
  }

  // ---------------------------------------------------------------------------------------------
  // The admission webhook

  @Test
  void theAdmissionWebhookSendsEveryArkKindToTheOperator() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));

    ValidatingWebhookConfiguration config = only(objects, ValidatingWebhookConfiguration.class);
    assertThat(config.getMetadata().getName()).isEqualTo("ark-operator");
    assertThat(config.getMetadata().getAnnotations()).isNullOrEmpty();
    ValidatingWebhook webhook = config.getWebhooks().get(0);
    assertThat(config.getWebhooks()).hasSize(1);
    assertThat(webhook.getName()).isEqualTo(WebhookRegistration.WEBHOOK_NAME);
    assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
    assertThat(webhook.getSideEffects()).isEqualTo("None");
    assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
    assertThat(webhook.getTimeoutSeconds()).isEqualTo(10);
    assertThat(webhook.getRules()).hasSize(1);
    assertThat(webhook.getRules().get(0).getApiGroups()).containsExactly("arkonis.dev");
    assertThat(webhook.getRules().get(0).getOperations()).containsExactly("CREATE", "UPDATE");
    assertThat(webhook.getRules().get(0).getResources())
        .containsExactlyInAnyOrderElementsOf(ARK_KINDS)
        .containsExactlyInAnyOrderElementsOf(CrdCatalog.PLURALS.values());
    assertThat(webhook.getNamespaceSelector().getMatchExpressions())
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
              assertThat(e.getOperator()).isEqualTo("NotIn");
              assertThat(e.getValues()).containsExactly(NAMESPACE);
            });
    assertThat(webhook.getClientConfig().getCaBundle()).isNull();
    assertThat(webhook.getClientConfig().getService().getName())
        .isEqualTo("ark-operator-admission");
    assertThat(webhook.getClientConfig().getService().getNamespace()).isEqualTo(NAMESPACE);
    assertThat(webhook.getClientConfig().getService().getPath()).isEqualTo(AdmissionServer.PATH);
    assertThat(webhook.getClientConfig().getService().getPort()).isEqualTo(443);

    Service service = RbacContractTest.named(objects, Service.class, "ark-operator-admission");
    assertThat(service.getSpec().getPorts())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.getPort()).isEqualTo(443);
              assertThat(p.getTargetPort().getStrVal()).isEqualTo("admission");
            });
    Deployment deployment = only(objects, Deployment.class);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
        .containsAllEntriesOf(service.getSpec().getSelector());
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(operator))
        .containsEntry("ARK_ADMISSION_PORT", "9443")
        .containsEntry("ARK_ADMISSION_TLS_SECRET", "ark-operator-admission-tls")
        .containsEntry("ARK_ADMISSION_SERVICE", "ark-operator-admission")
        .containsEntry("ARK_ADMISSION_WEBHOOK_CONFIGURATION", "ark-operator")
        .doesNotContainKey("ARK_ADMISSION_CERT_DIR");
  }

  @Test
  void certManagerProvidesTheCertificateWhenEnabled() throws IOException {
    List<HasMetadata> objects = parse(render(namespacedValues()));

    ValidatingWebhookConfiguration config = only(objects, ValidatingWebhookConfiguration.class);
    assertThat(config.getMetadata().getAnnotations())
        .containsEntry("cert-manager.io/inject-ca-from", NAMESPACE + "/ark-operator-admission");
    assertThat(config.getWebhooks().get(0).getFailurePolicy()).isEqualTo("Ignore");
    assertThat(config.getWebhooks().get(0).getTimeoutSeconds()).isEqualTo(5);

    HasMetadata certificate =
        objects.stream().filter(o -> o.getKind().equals("Certificate")).findFirst().orElseThrow();
    JsonNode spec = KUBE.convertValue(certificate, JsonNode.class).path("spec");
    assertThat(spec.path("secretName").asText()).isEqualTo("ark-operator-admission-tls");
    assertThat(spec.path("dnsNames").toString()).contains("ark-operator-admission.ark-system.svc");
    assertThat(spec.path("issuerRef").path("name").asText()).isEqualTo("my-ca");
    assertThat(spec.path("issuerRef").path("kind").asText()).isEqualTo("ClusterIssuer");
    assertThat(objects).extracting(HasMetadata::getKind).doesNotContain("Issuer");

    Deployment deployment = only(objects, Deployment.class);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    assertThat(env(operator))
        .containsEntry("ARK_ADMISSION_CERT_DIR", "/etc/ark/admission-tls")
        .containsEntry("ARK_ADMISSION_PORT", "10443")
        .doesNotContainKeys("ARK_ADMISSION_TLS_SECRET", "ARK_ADMISSION_WEBHOOK_CONFIGURATION");
    assertThat(operator.getVolumeMounts())
        .anyMatch(m -> m.getMountPath().equals("/etc/ark/admission-tls"));
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .anyMatch(
            v ->
                v.getSecret() != null
                    && "ark-operator-admission-tls".equals(v.getSecret().getSecretName()));
    assertThat(operator.getPorts())
        .anyMatch(p -> p.getName().equals("admission") && p.getContainerPort() == 10443);

    // Without an issuer the chart brings a self-signed one.
    List<HasMetadata> own =
        parse(render(Map.of("admission", Map.of("certManager", Map.of("enabled", true)))));
    assertThat(own).extracting(HasMetadata::getKind).contains("Issuer", "Certificate");

    // admission.enabled=false: no webhook, no port.
    List<HasMetadata> off = parse(render(Map.of("admission", Map.of("enabled", false))));
    assertThat(off)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ValidatingWebhookConfiguration", "Certificate");
    assertThat(
            env(
                only(off, Deployment.class)
                    .getSpec()
                    .getTemplate()
                    .getSpec()
                    .getContainers()
                    .get(0)))
        .doesNotContainKeys("ARK_ADMISSION_PORT", "ARK_ADMISSION_TLS_SECRET");
  }

  // ---------------------------------------------------------------------------------------------
  // NOTES.txt and versions

  @Test
  void notesTellWhatToDoNext() throws IOException {
    String notes = new ChartRenderer(chartDir()).notes(RELEASE, NAMESPACE, Map.of());

    assertThat(notes)
        .contains("rollout status deployment/ark-operator")
        .contains("kubectl get arkrun -w")
        .contains("temporal-frontend.temporal:7233")
        .contains("all namespaces")
        .doesNotContain("<no value>", "{{");
  }

  @Test
  void chartAppVersionIsTheProjectVersion() throws IOException {
    Map<String, Object> chart = yamlMap(Files.readString(chartDir().resolve("Chart.yaml")));
    assertThat(Main.version()).startsWith(String.valueOf(chart.get("appVersion")));
  }

  // ---------------------------------------------------------------------------------------------
  // deploy/temporal

  @Test
  void temporalManifestsParseAndServeTheChartsDefaultAddress() throws IOException {
    Path temporal = Cli.repoRoot().resolve("deploy/temporal");
    for (String manifest : List.of("dev-server.yaml", "postgres.yaml")) {
      assertThat(parse(split(Files.readString(temporal.resolve(manifest)))))
          .as(manifest)
          .extracting(HasMetadata::getKind)
          .contains("Namespace", "Deployment", "Service");
    }

    Map<String, Object> values = yamlMap(Files.readString(chartDir().resolve("values.yaml")));
    @SuppressWarnings("unchecked")
    String address = (String) ((Map<String, Object>) values.get("temporal")).get("address");
    String host = address.substring(0, address.indexOf(':'));
    int port = Integer.parseInt(address.substring(address.indexOf(':') + 1));
    Service frontend =
        parse(split(Files.readString(temporal.resolve("dev-server.yaml")))).stream()
            .filter(o -> o instanceof Service)
            .map(Service.class::cast)
            .filter(
                s ->
                    (s.getMetadata().getName() + "." + s.getMetadata().getNamespace()).equals(host))
            .findFirst()
            .orElseThrow(() -> new AssertionError("dev-server.yaml has no Service " + host));
    assertThat(frontend.getSpec().getPorts()).anyMatch(p -> p.getPort() == port);

    // The official chart's values: plain YAML, a release "temporal" gives the same address.
    Map<String, Object> chartValues = yamlMap(Files.readString(temporal.resolve("values.yaml")));
    assertThat(chartValues).containsKeys("server", "web");
  }

  // ---------------------------------------------------------------------------------------------
  // Real helm, when there is one

  @Test
  void helmTemplateRendersTheSameObjects() throws Exception {
    Path helm = helmBinary().orElse(null);
    assumeTrue(
        helm != null, "no helm binary (PATH, $HELM, ~/go/bin): checked with ChartRenderer only");

    Path valuesFile = resource(NAMESPACED_VALUES);
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), namespacedValues())) {
      List<String> args = new ArrayList<>(templateArgs());
      if (!values.isEmpty()) {
        args.addAll(List.of("-f", valuesFile.toString()));
      }
      String helmOutput = run(helm, args);
      assertThat(trees(helmOutput)).isEqualTo(trees(render(values)));
      assertThat(parse(helmOutput)).isNotEmpty();
    }
  }

  @Test
  void helmInstallsTheCrdsOfTheCrdsModule() throws Exception {
    Path helm = helmBinary().orElse(null);
    assumeTrue(helm != null, "no helm binary (PATH, $HELM, ~/go/bin)");

    List<String> args = new ArrayList<>(templateArgs());
    args.add("--include-crds");
    List<JsonNode> crds =
        trees(run(helm, args)).stream()
            .filter(t -> t.path("kind").asText().equals("CustomResourceDefinition"))
            .toList();

    Path source = Cli.repoRoot().resolve("crds/src/main/resources/crds");
    List<JsonNode> expected = new ArrayList<>();
    for (String name : fileNames(source)) {
      expected.addAll(trees(Files.readString(source.resolve(name))));
    }
    assertThat(sorted(crds)).isEqualTo(sorted(expected)).hasSize(ARK_KINDS.size());
  }

  @Test
  void helmLintPasses() throws Exception {
    Path helm = helmBinary().orElse(null);
    assumeTrue(helm != null, "no helm binary (PATH, $HELM, ~/go/bin)");

    run(helm, List.of("lint", "--strict", chartDir().toString()));
    run(
        helm,
        List.of(
            "lint",
            "--strict",
            chartDir().toString(),
            "-f",
            resource(NAMESPACED_VALUES).toString()));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  /** Documents as JSON trees, sorted, for order-independent comparison. */
  private static List<JsonNode> trees(List<String> documents) throws IOException {
    List<JsonNode> trees = new ArrayList<>();
    for (String document : documents) {
      trees.add(YAML.readTree(document));
    }
    return sorted(trees);
  }

  private static List<JsonNode> trees(String multiDocument) throws IOException {
    return trees(split(multiDocument));
  }

  private static List<JsonNode> sorted(List<JsonNode> trees) {
    return trees.stream()
        .sorted(
            Comparator.comparing(
                (JsonNode t) ->
                    t.path("kind").asText()
                        + "/"
                        + t.path("metadata").path("namespace").asText()
                        + "/"
                        + t.path("metadata").path("name").asText()))
        .toList();
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), var.getValue());
    }
    return env;
  }

  /**
   * {@code helm template} arguments. A helm built with {@code go install} (no release ldflags)
   * assumes Kubernetes 1.20, below the chart's kubeVersion, hence the explicit version.
   */
  private static List<String> templateArgs() {
    return List.of(
        "template",
        RELEASE,
        chartDir().toString(),
        "--namespace",
        NAMESPACE,
        "--kube-version",
        "1.31.0");
  }
}
