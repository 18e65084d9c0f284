package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.ChartFixture.KUBE;
import static dev.arkonis.ark.cli.ChartFixture.NAMESPACE;
import static dev.arkonis.ark.cli.ChartFixture.chartDir;
import static dev.arkonis.ark.cli.ChartFixture.fileNames;
import static dev.arkonis.ark.cli.ChartFixture.namespacedValues;
import static dev.arkonis.ark.cli.ChartFixture.only;
import static dev.arkonis.ark.cli.ChartFixture.parse;
import static dev.arkonis.ark.cli.ChartFixture.render;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The RBAC the Helm chart grants the operator: the ClusterRole (or, with {@code watchNamespace},
 * the Role in that namespace) grants exactly {@link #RBAC_CONTRACT}, and the Role in the release
 * namespace exactly {@link #LEADER_ELECTION_CONTRACT}; no wildcards, resource names or non-resource
 * URLs. The admission webhook's Role and ClusterRole grant exactly {@link #ADMISSION_CONTRACT},
 * limited to the names of its Secret and ValidatingWebhookConfiguration. The contracts are files,
 * {@code deploy/rbac/contract.txt}, {@code deploy/rbac/leader-election.txt} and {@code
 * deploy/rbac/admission.txt}, which k8s-bridge's {@code RbacUsageTest} derives from the requests
 * the running operator sends: the chart grants what the code uses, nothing more.
 */
class RbacContractTest {

  /** Every ark kind (CRD plural); {@link #crdPluralsAreTheArkKinds} keeps it true. */
  static final List<String> ARK_KINDS =
      List.of(
          "arkagents",
          "arkteams",
          "arkruns",
          "arkevents",
          "arkservices",
          "arksettings",
          "arkmemories",
          "arknotifies",
          "arkregistries");

  /**
   * What the operator (informer bridge, reconcilers, run status writes, events) calls on the API
   * server, as (apiGroup, resource, verb): {@code deploy/rbac/contract.txt}.
   */
  static final Set<Permission> RBAC_CONTRACT = contract("contract.txt");

  /** Leader election: a Lease in the release namespace: {@code deploy/rbac/leader-election.txt}. */
  static final Set<Permission> LEADER_ELECTION_CONTRACT = contract("leader-election.txt");

  /**
   * The admission webhook's self-signed certificate Secret and caBundle patch: {@code
   * deploy/rbac/admission.txt}.
   */
  static final Set<Permission> ADMISSION_CONTRACT = contract("admission.txt");

  /**
   * The lines {@code <group> <resource> <verb>} of a contract file ({@code core} is the core group
   * {@code ""}); {@code #} starts a comment.
   */
  static Set<Permission> contract(String file) {
    Path path = Cli.repoRoot().resolve("deploy/rbac").resolve(file);
    Set<Permission> permissions = new TreeSet<>();
    try {
      for (String line : Files.readAllLines(path)) {
        String text = line.replaceFirst("#.*", "").trim();
        if (text.isEmpty()) {
          continue;
        }
        String[] fields = text.split("\\s+");
        if (fields.length != 3) {
          throw new IllegalStateException(path + ": not '<group> <resource> <verb>': " + line);
        }
        permissions.add(
            new Permission(fields[0].equals("core") ? "" : fields[0], fields[1], fields[2]));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return permissions;
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

  @Test
  void theContractsAreNotEmptyAndNameRealKinds() {
    assertThat(RBAC_CONTRACT).isNotEmpty();
    assertThat(LEADER_ELECTION_CONTRACT)
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.resource()).isEqualTo("leases"));
    assertThat(RBAC_CONTRACT)
        .filteredOn(p -> p.apiGroup().equals("arkonis.dev"))
        .allSatisfy(
            p ->
                assertThat(ARK_KINDS)
                    .contains(p.resource().replaceFirst("/(status|finalizers)$", "")));
  }

  @Test
  void crdPluralsAreTheArkKinds() throws IOException {
    Path crds = chartDir().resolve("crds");
    Set<String> plurals = new TreeSet<>();
    for (String name : fileNames(crds)) {
      CustomResourceDefinition crd =
          KUBE.unmarshal(Files.readString(crds.resolve(name)), CustomResourceDefinition.class);
      assertThat(crd.getSpec().getGroup()).isEqualTo("arkonis.dev");
      plurals.add(crd.getSpec().getNames().getPlural());
      boolean hasStatus =
          crd.getSpec().getVersions().stream()
              .allMatch(
                  v -> v.getSubresources() != null && v.getSubresources().getStatus() != null);
      // ArkSettings only configures agents: nothing reconciles it, it has no status
      boolean configurationOnly = "ArkSettings".equals(crd.getSpec().getNames().getKind());
      assertThat(hasStatus)
          .as("%s has a status subresource unless it only configures others", name)
          .isEqualTo(!configurationOnly);
    }
    assertThat(plurals).isEqualTo(new TreeSet<>(ARK_KINDS));
  }

  /** The chart's values with the dashboard's actions on: the whole contract is granted. */
  static Map<String, Object> withActions(Map<String, Object> values) {
    Map<String, Object> more = new java.util.LinkedHashMap<>(values);
    more.put("dashboard", Map.of("actions", true));
    return more;
  }

  @Test
  void readOnlyDashboardGrantsNoPodAccess() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));
    Set<Permission> granted =
        permissions(named(objects, ClusterRole.class, "ark-operator").getRules());
    Set<Permission> expected = new TreeSet<>(RBAC_CONTRACT);
    expected.removeAll(
        Set.of(new Permission("", "pods", "list"), new Permission("", "pods/log", "get")));
    assertThat(RBAC_CONTRACT).contains(new Permission("", "pods", "list"));
    assertThat(granted)
        .as("without dashboard.actions: the contract less the dashboard's pod lines")
        .isEqualTo(expected);
  }

  @Test
  void clusterRoleGrantsExactlyTheOperatorContract() throws IOException {
    List<HasMetadata> objects = parse(render(withActions(Map.of())));

    ClusterRole clusterRole = named(objects, ClusterRole.class, "ark-operator");
    List<PolicyRule> rules = clusterRole.getRules();
    assertThat(rules).allSatisfy(RbacContractTest::assertNoWildcardsOrUrls);
    assertThat(permissions(rules))
        .as("ClusterRole rules vs deploy/rbac/contract.txt")
        .isEqualTo(RBAC_CONTRACT);

    ClusterRoleBinding binding = named(objects, ClusterRoleBinding.class, "ark-operator");
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
  void watchNamespaceGrantsARoleThereInsteadOfAClusterRole() throws IOException {
    List<HasMetadata> objects = parse(render(withActions(namespacedValues())));

    assertThat(objects)
        .extracting(HasMetadata::getKind)
        .doesNotContain("ClusterRole", "ClusterRoleBinding");
    Role watched = named(objects, Role.class, "ark-operator");
    assertThat(watched.getMetadata().getNamespace()).isEqualTo("team-a");
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
    assertThat(permissions(watched.getRules()))
        .as("Role rules in watchNamespace vs deploy/rbac/contract.txt")
        .isEqualTo(RBAC_CONTRACT);
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

  @Test
  void leasesAreGrantedOnlyInTheReleaseNamespace() throws IOException {
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), namespacedValues())) {
      List<HasMetadata> objects = parse(render(values));
      Role leaderElection = named(objects, Role.class, "ark-operator-leader-election");
      assertThat(leaderElection.getRules()).allSatisfy(RbacContractTest::assertNoWildcardsOrUrls);
      assertThat(permissions(leaderElection.getRules()))
          .as("leader-election Role rules vs deploy/rbac/leader-election.txt")
          .isEqualTo(LEADER_ELECTION_CONTRACT);
    }
  }

  /**
   * The admission webhook's self-signed certificate: a Role in the release namespace (the
   * certificate Secret, get and update by name) and a ClusterRole (the chart's
   * ValidatingWebhookConfiguration, by name) grant exactly {@code deploy/rbac/admission.txt}; with
   * cert-manager neither exists.
   */
  @Test
  void admissionRbacGrantsExactlyTheAdmissionContract() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));
    Role secrets = named(objects, Role.class, "ark-operator-admission");
    ClusterRole configuration = named(objects, ClusterRole.class, "ark-operator-admission");
    assertThat(secrets.getMetadata().getNamespace()).isEqualTo(NAMESPACE);

    Set<Permission> granted = new TreeSet<>(permissions(secrets.getRules()));
    granted.addAll(permissions(configuration.getRules()));
    assertThat(granted)
        .as("admission Role + ClusterRole vs deploy/rbac/admission.txt")
        .isEqualTo(ADMISSION_CONTRACT);
    for (PolicyRule rule : secrets.getRules()) {
      assertThat(rule.getResourceNames())
          .as("%s", rule)
          .isEqualTo(
              rule.getVerbs().equals(List.of("create"))
                  ? List.of()
                  : List.of("ark-operator-admission-tls"));
    }
    String webhookConfiguration =
        objects.stream()
            .filter(o -> o.getKind().equals("ValidatingWebhookConfiguration"))
            .findFirst()
            .orElseThrow()
            .getMetadata()
            .getName();
    assertThat(configuration.getRules())
        .allSatisfy(r -> assertThat(r.getResourceNames()).containsExactly(webhookConfiguration));
    assertThat(named(objects, RoleBinding.class, "ark-operator-admission").getRoleRef().getName())
        .isEqualTo("ark-operator-admission");
    assertThat(
            named(objects, ClusterRoleBinding.class, "ark-operator-admission")
                .getSubjects()
                .get(0)
                .getName())
        .isEqualTo("ark-operator");

    List<HasMetadata> certManager = parse(render(namespacedValues()));
    assertThat(certManager)
        .noneMatch(
            o ->
                o.getMetadata().getName().equals("ark-operator-admission")
                    && (o instanceof Role || o instanceof ClusterRole));
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
    return objects.stream()
        .filter(o -> type.isInstance(o) && o.getMetadata().getName().equals(name))
        .map(type::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
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
}
