package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A namespace of a test's own on the rig's real API server ({@code ARK_TEST_KUBECONFIG}, set by
 * {@code scripts/test}), with the real {@code kubectl} and the built {@code ark} jar run as
 * processes, as a user runs them. {@link #close()} deletes the namespace.
 */
final class TestCluster implements AutoCloseable {
  final Path kubeconfig;
  final KubernetesClient kube;
  final String namespace;
  final Path work;

  private TestCluster(Path kubeconfig, KubernetesClient kube, String namespace, Path work) {
    this.kubeconfig = kubeconfig;
    this.kube = kube;
    this.namespace = namespace;
    this.work = work;
  }

  /** Connects and creates namespace {@code <prefix>-<random>}; fails when the rig is not set. */
  static TestCluster open(String prefix) throws IOException {
    String configured = System.getenv("ARK_TEST_KUBECONFIG");
    if (configured == null || configured.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the tests with scripts/test (or start a cluster with"
              + " 'scripts/cluster up' and export ARK_TEST_KUBECONFIG=<the path it prints>)");
    }
    Path kubeconfig = Path.of(configured);
    KubernetesClient kube = ClusterAccess.open(kubeconfig);
    String namespace = prefix + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    kube.namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    return new TestCluster(kubeconfig, kube, namespace, Files.createTempDirectory(prefix));
  }

  record Kubectl(int exit, String out, String err) {}

  record Run(int exit, String output) {}

  /** The real kubectl, in this namespace. */
  Kubectl kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", namespace));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "kubectl", ".out");
    Path err = Files.createTempFile(work, "kubectl", ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish in 90 s");
    }
    return new Kubectl(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
  }

  /** {@link #kubectl} that must succeed; its output. */
  String ok(String... args) throws IOException, InterruptedException {
    Kubectl result = kubectl(args);
    assertThat(result.exit()).as("kubectl %s: %s", String.join(" ", args), result.err()).isZero();
    return result.out();
  }

  /** {@code java -jar cli/target/ark.jar ARGS}, output and error together. */
  Run runJar(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-jar", jar().toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "ark", ".out");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("ark " + String.join(" ", args) + " did not finish in 90 s:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }

  static Path jar() {
    Path jar = Cli.repoRoot().resolve("cli/target/ark.jar");
    if (!Files.isRegularFile(jar)) {
      fail(jar + " is missing: the integration tests run after 'package' (mvn verify)");
    }
    return jar;
  }

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  @Override
  public void close() {
    kube.namespaces().withName(namespace).delete();
    kube.close();
  }
}
