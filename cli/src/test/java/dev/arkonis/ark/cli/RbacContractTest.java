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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The RBAC the Helm chart grants the operator: the ClusterRole (or, with {@code watchNamespace},
 * the Role in that namespace) grants exactly {@link #RBAC_CONTRACT}, and the Role in the release
 * namespace exactly {@link #LEADER_ELECTION_CONTRACT}; no wildcards, resource names or non-resource
 * URLs.
 */
class RbacContractTest {

  /** Every ark kind (CRD plural); {@link #crdPluralsAreTheArkKindsOfTheContract} keeps it true. */
  static final List<String> ARK_KINDS =
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

  @Test
  void crdPluralsAreTheArkKindsOfTheContract() throws IOException {
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
      assertThat(hasStatus).as("%s has a status subresource", name).isTrue();
    }
    assertThat(plurals).isEqualTo(new TreeSet<>(ARK_KINDS));
  }

  @Test
  void clusterRoleGrantsExactlyTheOperatorContract() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));

    HasMetadata clusterRole =
        objects.stream().filter(o -> o.getKind().equals("ClusterRole")).findFirst().orElseThrow();
    List<PolicyRule> rules = ((ClusterRole) clusterRole).getRules();
    assertThat(rules).allSatisfy(RbacContractTest::assertNoWildcardsOrUrls);
    assertThat(permissions(rules)).isEqualTo(RBAC_CONTRACT);

    ClusterRoleBinding binding = only(objects, ClusterRoleBinding.class);
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

  @Test
  void leasesAreGrantedOnlyInTheReleaseNamespace() throws IOException {
    for (Map<String, Object> values : List.of(Map.<String, Object>of(), namespacedValues())) {
      List<HasMetadata> objects = parse(render(values));
      Role leaderElection = role(objects, NAMESPACE);
      assertThat(leaderElection.getRules()).allSatisfy(RbacContractTest::assertNoWildcardsOrUrls);
      assertThat(permissions(leaderElection.getRules())).isEqualTo(LEADER_ELECTION_CONTRACT);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private static Role role(List<HasMetadata> objects, String namespace) {
    return objects.stream()
        .filter(o -> o instanceof Role && namespace.equals(o.getMetadata().getNamespace()))
        .map(Role.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no Role in namespace " + namespace));
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
}
