package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev --kubeconfig} with a kubeconfig that cannot work: one line naming the file or the
 * server and what to do, exit code 2, no stack trace.
 */
class DevCommandErrorsTest {
  @Test
  void aMissingKubeconfig(@TempDir Path dir) {
    Cli result = Cli.run("dev", "--kubeconfig", dir.resolve("nope").toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip())
        .isEqualTo(
            "error: kubeconfig "
                + dir.resolve("nope")
                + " not found: give the path of a kubeconfig");
  }

  @Test
  void aKubeconfigThatIsNotYaml(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("kubeconfig"), "clusters: [\n");

    Cli result = Cli.run("dev", "--kubeconfig", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err()).startsWith("error: cannot read kubeconfig " + file + ": ");
  }

  @Test
  void anUnreachableServer(@TempDir Path dir) throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path file =
        Files.writeString(
            dir.resolve("kubeconfig"),
            """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "https://127.0.0.1:%d", insecure-skip-tls-verify: true}
            users:
            - name: u
              user: {token: t}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            """
                .formatted(port));

    Cli result = Cli.run("dev", "--kubeconfig", file.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err().strip().lines()).hasSize(1);
    assertThat(result.err())
        .startsWith("error: cannot reach the Kubernetes API at https://127.0.0.1:" + port)
        .contains("kubeconfig " + file, "is the cluster up?");
  }
}
