package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.template.Template;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart in {@code deploy/helm/ark}: it renders to valid Kubernetes objects, wires the
 * values into the operator Deployment, grants exactly the RBAC the operator needs, and ships the
 * CRDs of the {@code crds} module unchanged.
 *
 * <p>The chart's templates keep to the part of Helm's template language that ark's own Go-template
 * engine ({@link Template}) renders, so every check runs on any machine with {@link ChartRenderer};
 * when a real {@code helm} binary is found (on PATH, {@code $HELM}, or {@code ~/go/bin}), {@code
 * helm template} output is checked to be the same objects and {@code helm lint --strict} to pass.
 */
class HelmChartTest {

  private static final String RELEASE = "ark";
  private static final String NAMESPACE = "ark-system";
  private static final String NAMESPACED_VALUES = "/helm/namespaced-values.yaml";

  /** Every ark kind (CRD plural); {@link #crdPluralsAreTheArkKindsOfTheContract} keeps it true. */
  private static final List<String> ARK_KINDS =
      List.of(
          "arkagents",
          "arkteams",
          "arkruns",
          "arkevents",
          "arkservices",
          "arksettings",
          "arkmemories",
          "arknotifies");

  private static final List<String> READ = List.of("get", "list", "watch");
  private static final List<String> WRITE = List.of("create", "update", "patch", "delete");

  /**
   * What the operator (informer bridge, status writer, webhook) calls on the API server, as
   * (apiGroup, resource, verb). The ClusterRole — or the Role in {@code watchNamespace} — must
   * grant exactly this: keep it in sync with the code (a new client call needs a line here and a
   * rule in templates/rbac.yaml).
   */
  static final Set<Permission> RBAC_CONTRACT = contract();

  /** Leader election: a Lease in the release namespace, granted by a namespaced Role only. */
  static final Set<Permission> LEADER_ELECTION_CONTRACT =
      grant(new TreeSet<>(), "coordination.k8s.io", List.of("leases"), "get", "create", "update");

  private static Set<Permission> contract() {
    Set<Permission> p = new TreeSet<>();
    grant(p, "arkonis.dev", ARK_KINDS, READ);
    // Managed agents <team>-<role>; runs created by ArkEvents and retries, pruned by the history
    // limits, finalizers for cancel-on-delete.
    grant(p, "arkonis.dev", List.of("arkagents", "arkruns"), WRITE);
    // Teams: metadata only (finalizers/annotations), never created or deleted.
    grant(p, "arkonis.dev", List.of("arkteams"), "update", "patch");
    grant(p, "arkonis.dev", ARK_KINDS.stream().map(k -> k + "/status").toList(), "update", "patch");
    grant(p, "arkonis.dev", List.of("arkagents/scale"), "get", "update", "patch");
    grant(p, "apps", List.of("deployments"), concat(READ, WRITE));
    grant(p, "", List.of("configmaps"), concat(READ, WRITE));
    // Webhook tokens are created; prompt refs and MCP header Secrets are read.
    grant(p, "", List.of("secrets"), concat(READ, List.of("create")));
    grant(p, "", List.of("events"), "create", "patch");
    return p;
  }

  record Permission(String apiGroup, String resource, String verb)
      implements Comparable<Permission> {
    @Override
    public int compareTo(Permission o) {
      return toString().compareTo(o.toString());
    }

    @Override
    public String toString() {
      return (apiGroup.isEmpty() ? "core" : apiGroup) + " " + resource + " " + verb;
    }
  }

  private final KubernetesSerialization kube = new KubernetesSerialization();

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

  @Test
  void crdPluralsAreTheArkKindsOfTheContract() throws IOException {
    Path crds = chartDir().resolve("crds");
    Set<String> plurals = new TreeSet<>();
    for (String name : fileNames(crds)) {
      CustomResourceDefinition crd =
          kube.unmarshal(Files.readString(crds.resolve(name)), CustomResourceDefinition.class);
      assertThat(crd.getSpec().getGroup()).isEqualTo("arkonis.dev");
      plurals.add(crd.getSpec().getNames().getPlural());
      boolean hasStatus =
          crd.getSpec().getVersions().stream()
              .allMatch(
                  v -> v.getSubresources() != null && v.getSubresources().getStatus() != null);
      assertThat(hasStatus).as("%s has a status subresource", name).isTrue();
    }
    assertThat(plurals).isEqualTo(new TreeSet<>(ARK_KINDS));
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
            "Service");
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getLabels())
          .as(o.getKind())
          .containsEntry("app.kubernetes.io/instance", RELEASE)
          .containsEntry("app.kubernetes.io/managed-by", "Helm");
      boolean clusterScoped = o.getKind().startsWith("Cluster");
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
            "default");
    assertThat(operator.getPorts())
        .extracting(ContainerPort::getName, ContainerPort::getContainerPort)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("http", 8080),
            org.assertj.core.groups.Tuple.tuple("webhook", 8081));
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

    Service service = only(objects, Service.class);
    assertThat(podLabels).containsAllEntriesOf(service.getSpec().getSelector());
    assertThat(service.getSpec().getPorts()).hasSize(1);
    assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(8081);
    assertThat(service.getSpec().getPorts().get(0).getTargetPort().getStrVal())
        .isEqualTo("webhook");
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
            "team-a");
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

  @Test
  void watchNamespaceGrantsARoleThereInsteadOfAClusterRole() throws IOException {
    List<HasMetadata> objects = parse(render(namespacedValues()));

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
    Role watched = role(objects, "team-a");
    RoleBinding binding =
        objects.stream()
            .filter(
                o -> o instanceof RoleBinding && "team-a".equals(o.getMetadata().getNamespace()))
            .map(RoleBinding.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
    assertThat(binding.getRoleRef().getName()).isEqualTo(watched.getMetadata().getName());
    assertThat(binding.getSubjects().get(0).getName()).isEqualTo("ark-bot");
    assertThat(binding.getSubjects().get(0).getNamespace()).isEqualTo(NAMESPACE);
    assertThat(permissions(watched.getRules())).isEqualTo(RBAC_CONTRACT);
    // serviceAccount.create=false: the named account is used, not created.
    assertThat(objects).extracting(HasMetadata::getKind).doesNotContain("ServiceAccount");
    assertThat(
            only(objects, Deployment.class)
                .getSpec()
                .getTemplate()
                .getSpec()
                .getServiceAccountName())
        .isEqualTo("ark-bot");
  }

  // ---------------------------------------------------------------------------------------------
  // RBAC

  @Test
  void clusterRoleGrantsExactlyTheOperatorContract() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));

    HasMetadata clusterRole =
        objects.stream().filter(o -> o.getKind().equals("ClusterRole")).findFirst().orElseThrow();
    List<PolicyRule> rules =
        ((io.fabric8.kubernetes.api.model.rbac.ClusterRole) clusterRole).getRules();
    assertThat(rules).allSatisfy(HelmChartTest::assertNoWildcardsOrUrls);
    assertThat(permissions(rules)).isEqualTo(RBAC_CONTRACT);

    io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding binding =
        only(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding.class);
    assertThat(binding.getRoleRef().getName()).isEqualTo(clusterRole.getMetadata().getName());
    assertThat(binding.getSubjects())
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.getKind()).isEqualTo("ServiceAccount");
              assertThat(s.getName()).isEqualTo("ark-operator");
              assertThat(s.getNamespace()).isEqualTo(NAMESPACE);
            });
  }

  @Test
  void leasesAreGrantedOnlyInTheReleaseNamespace() throws IOException {
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), namespacedValues())) {
      List<HasMetadata> objects = parse(render(values));
      Role leaderElection = role(objects, NAMESPACE);
      assertThat(leaderElection.getRules()).allSatisfy(HelmChartTest::assertNoWildcardsOrUrls);
      assertThat(permissions(leaderElection.getRules())).isEqualTo(LEADER_ELECTION_CONTRACT);
    }
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
  // The fallback renderer

  /**
   * Renders a chart the way {@code helm template} does, for the template language subset the ark
   * chart uses: values.yaml deep-merged with overrides as {@code .Values}, {@code .Release} and
   * {@code .Chart} (Chart.yaml with capitalised keys); every {@code templates/*.yaml} not starting
   * with {@code _} rendered by ark's Go-template engine and split into documents; empty documents
   * dropped. CRDs ({@code crds/}) are not rendered, as in {@code helm template} without {@code
   * --include-crds}.
   */
  static final class ChartRenderer {
    private final Path chart;

    ChartRenderer(Path chart) {
      this.chart = chart;
    }

    /** The rendered documents, in file name order. */
    List<String> render(String release, String namespace, Map<String, Object> overrides)
        throws IOException {
      Map<String, Object> data = data(release, namespace, overrides);
      List<String> documents = new ArrayList<>();
      List<Path> templates;
      try (Stream<Path> files = Files.list(chart.resolve("templates"))) {
        templates =
            files
                .filter(p -> p.getFileName().toString().matches("[^_].*\\.ya?ml"))
                .sorted()
                .toList();
      }
      for (Path template : templates) {
        String text = Template.parse(Files.readString(template)).render(data);
        for (String document : text.split("(?m)^---[ \\t]*$")) {
          if (!isBlank(document)) {
            documents.add(document);
          }
        }
      }
      return documents;
    }

    String notes(String release, String namespace, Map<String, Object> overrides)
        throws IOException {
      String source = Files.readString(chart.resolve("templates/NOTES.txt"));
      return Template.parse(source).render(data(release, namespace, overrides));
    }

    private Map<String, Object> data(
        String release, String namespace, Map<String, Object> overrides) throws IOException {
      Map<String, Object> values = yamlMap(Files.readString(chart.resolve("values.yaml")));
      merge(values, overrides);
      Map<String, Object> chartMeta = new LinkedHashMap<>();
      yamlMap(Files.readString(chart.resolve("Chart.yaml")))
          .forEach(
              (k, v) ->
                  chartMeta.put(
                      k.equals("apiVersion")
                          ? "APIVersion"
                          : Character.toUpperCase(k.charAt(0)) + k.substring(1),
                      v));
      Map<String, Object> releaseMeta = new LinkedHashMap<>();
      releaseMeta.put("Name", release);
      releaseMeta.put("Namespace", namespace);
      releaseMeta.put("Service", "Helm");
      releaseMeta.put("IsInstall", true);
      releaseMeta.put("IsUpgrade", false);
      releaseMeta.put("Revision", 1);
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("Values", values);
      data.put("Release", releaseMeta);
      data.put("Chart", chartMeta);
      return data;
    }

    /** Helm's values coalescing: maps merge key by key, anything else replaces. */
    @SuppressWarnings("unchecked")
    private static void merge(Map<String, Object> target, Map<String, Object> overrides) {
      overrides.forEach(
          (key, value) -> {
            if (value instanceof Map<?, ?> m && target.get(key) instanceof Map<?, ?> t) {
              Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) t);
              merge(copy, (Map<String, Object>) m);
              target.put(key, copy);
            } else {
              target.put(key, value);
            }
          });
    }

    private static boolean isBlank(String document) {
      return document
          .lines()
          .map(String::strip)
          .allMatch(line -> line.isEmpty() || line.startsWith("#"));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Path chartDir() {
    return Cli.repoRoot().resolve("deploy/helm/ark");
  }

  private static List<String> render(Map<String, Object> values) throws IOException {
    return new ChartRenderer(chartDir()).render(RELEASE, NAMESPACE, values);
  }

  private Map<String, Object> namespacedValues() throws IOException {
    return yamlMap(Files.readString(resource(NAMESPACED_VALUES)));
  }

  private static Path resource(String name) {
    try {
      return Path.of(HelmChartTest.class.getResource(name).toURI());
    } catch (Exception e) {
      throw new IllegalStateException("test resource " + name, e);
    }
  }

  private List<HasMetadata> parse(List<String> documents) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : documents) {
      Object parsed = kube.unmarshal(document);
      assertThat(parsed).as(document).isInstanceOf(HasMetadata.class);
      HasMetadata object = (HasMetadata) parsed;
      assertThat(object.getApiVersion()).as(document).isNotBlank();
      assertThat(object.getMetadata().getName()).as(document).isNotBlank();
      objects.add(object);
    }
    return objects;
  }

  private List<HasMetadata> parse(String multiDocument) {
    return parse(split(multiDocument));
  }

  private static List<String> split(String multiDocument) {
    List<String> documents = new ArrayList<>();
    for (String document : multiDocument.split("(?m)^---[ \\t]*$")) {
      if (document.lines().map(String::strip).anyMatch(l -> !l.isEmpty() && !l.startsWith("#"))) {
        documents.add(document);
      }
    }
    return documents;
  }

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

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @SuppressWarnings("unchecked")
  private static Map<String, Object> yamlMap(String yaml) throws IOException {
    Map<String, Object> map = YAML.readValue(yaml, LinkedHashMap.class);
    return map == null ? new LinkedHashMap<>() : map;
  }

  private static <T> T only(List<HasMetadata> objects, Class<T> type) {
    List<T> matching = objects.stream().filter(type::isInstance).map(type::cast).toList();
    assertThat(matching).as(type.getSimpleName()).hasSize(1);
    return matching.get(0);
  }

  private static Role role(List<HasMetadata> objects, String namespace) {
    return objects.stream()
        .filter(o -> o instanceof Role && namespace.equals(o.getMetadata().getNamespace()))
        .map(Role.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Role in namespace " + namespace));
  }

  private static Map<String, String> env(Container container) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : container.getEnv()) {
      env.put(var.getName(), var.getValue());
    }
    return env;
  }

  private static void assertNoWildcardsOrUrls(PolicyRule rule) {
    assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
    assertThat(rule.getResourceNames()).isNullOrEmpty();
    assertThat(rule.getApiGroups()).doesNotContain("*");
    assertThat(rule.getResources()).doesNotContain("*");
    assertThat(rule.getVerbs()).doesNotContain("*");
  }

  private static Set<Permission> permissions(List<PolicyRule> rules) {
    Set<Permission> granted = new TreeSet<>();
    for (PolicyRule rule : rules) {
      for (String group : rule.getApiGroups()) {
        for (String resource : rule.getResources()) {
          for (String verb : rule.getVerbs()) {
            granted.add(new Permission(group, resource, verb));
          }
        }
      }
    }
    return granted;
  }

  private static Set<Permission> grant(
      Set<Permission> into, String group, List<String> resources, String... verbs) {
    return grant(into, group, resources, List.of(verbs));
  }

  private static Set<Permission> grant(
      Set<Permission> into, String group, List<String> resources, List<String> verbs) {
    for (String resource : resources) {
      for (String verb : verbs) {
        into.add(new Permission(group, resource, verb));
      }
    }
    return into;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    return Stream.concat(a.stream(), b.stream()).toList();
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .sorted()
          .collect(Collectors.toList());
    }
  }

  // helm

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

  static Optional<Path> helmBinary() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getenv("HELM");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "helm"));
        }
      }
    }
    String gopath = System.getenv("GOPATH");
    if (gopath != null && !gopath.isBlank()) {
      candidates.add(Path.of(gopath, "bin", "helm"));
    }
    candidates.add(Path.of(System.getProperty("user.home"), "go", "bin", "helm"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  private static String run(Path helm, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(helm.toString());
    command.addAll(args);
    Path err = Files.createTempFile("helm", ".err");
    try {
      Process process =
          new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(devNull()).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("helm did not finish in 120 s: " + command);
      }
      assertThat(process.exitValue())
          .as("%s%n%s", String.join(" ", command), Files.readString(err))
          .isZero();
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static File devNull() {
    return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
  }
}
