package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code ark dev --kubeconfig} against the rig's real kube-apiserver when something is wrong: no
 * RBAC, no cluster, no namespace, a manifest the API server refuses — each one line and exit code
 * 2, nothing applied.
 */
class DevKubeconfigErrorsIT {
  private static TestCluster cluster;
  private static String temporalAddress;

  @BeforeAll
  static void connect() throws Exception {
    temporalAddress = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporalAddress == null || temporalAddress.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server");
    }
    cluster = TestCluster.open("ark-dev-errors-it");
  }

  @AfterAll
  static void close() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aUserWithoutTheOperatorsRbacGetsOneLineAndExitCode2() throws Exception {
    cluster
        .kube
        .serviceAccounts()
        .inNamespace(cluster.namespace)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("no-rights")
                .endMetadata()
                .build())
        .create();
    TestCluster.Kubectl token = cluster.kubectl("create", "token", "no-rights");
    assertThat(token.exit()).as(token.err()).isZero();
    Path limited = cluster.work.resolve("limited.kubeconfig");
    Files.writeString(
        limited,
        Files.readString(cluster.kubeconfig)
            .replaceAll("(?m)^(\\s*token:).*$", "$1 " + token.out().strip()));

    TestCluster.Run denied =
        cluster.runJar("dev", "--kubeconfig", limited.toString(), "-n", cluster.namespace);

    assertThat(denied.exit()).as(denied.output()).isEqualTo(2);
    assertThat(denied.output().strip().lines()).hasSize(1);
    assertThat(denied.output())
        .startsWith("error: the kubeconfig's user may not ")
        .contains("arkteams", "in namespace " + cluster.namespace, "deploy/rbac/contract.txt");
  }

  @Test
  void anUnreachableClusterOrAMissingNamespaceIsOneLineAndExitCode2() throws Exception {
    Path unreachable = cluster.work.resolve("unreachable.kubeconfig");
    Files.writeString(
        unreachable,
        Files.readString(cluster.kubeconfig)
            .replaceAll("https://127\\.0\\.0\\.1:\\d+", "https://127.0.0.1:1"));
    TestCluster.Run refused = cluster.runJar("dev", "--kubeconfig", unreachable.toString());
    assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
    assertThat(refused.output().strip().lines()).hasSize(1);
    assertThat(refused.output())
        .startsWith("error: cannot reach the Kubernetes API at https://127.0.0.1:1");

    TestCluster.Run missing =
        cluster.runJar(
            "dev",
            "--kubeconfig",
            cluster.kubeconfig.toString(),
            "-n",
            cluster.namespace + "-none");
    assertThat(missing.exit()).as(missing.output()).isEqualTo(2);
    assertThat(missing.output().strip())
        .isEqualTo(
            "error: namespace "
                + cluster.namespace
                + "-none not found: create it with 'kubectl create namespace "
                + cluster.namespace
                + "-none' or choose another with -n");
  }

  @Test
  void aManifestTheApiServerRefusesIsOneLineAndExitCode2() throws Exception {
    Path folder = Files.createDirectories(cluster.work.resolve("refused"));
    Files.writeString(
        folder.resolve("a-settings.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkSettings
        metadata:
          name: house-style
        spec:
          temperature: "0.2"
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: house-prompts
        data:
          writer: "Write clearly."
        """);
    // applied after a-settings.yaml: the files go in name order
    Path file =
        Files.writeString(
            folder.resolve("z-prompts.yaml"),
            """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkSettings
            metadata:
              name: other-style
            spec:
              temperature: "0.5"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Team_Prompts
            data:
              writer: "Write clearly."
            """);

    TestCluster.Run refused =
        cluster.runJar(
            "dev",
            folder.toString(),
            "--kubeconfig",
            cluster.kubeconfig.toString(),
            "-n",
            cluster.namespace,
            "--temporal-address",
            temporalAddress,
            "--port",
            "0",
            "--webhook-port",
            "0");

    assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
    String error =
        refused.output().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
    assertThat(error)
        .startsWith("error: " + file + ": ConfigMap/Team_Prompts was not applied: ")
        .contains("metadata.name: Invalid value");
    assertThat(refused.output()).doesNotContainPattern("(?m)^\\s+at ");
    // nothing of the folder was applied (a server-side dry run of every object comes first)
    assertThat(
            cluster.ok(
                "get",
                "arksettings/house-style",
                "configmap/house-prompts",
                "--ignore-not-found",
                "-o",
                "name"))
        .isEmpty();
  }
}
