package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fields of features not implemented yet are refused by {@code ark run} and {@code ark dev} with
 * the same line as {@code ark validate} (docs/api-coverage.md lists them), and nothing starts.
 */
class UnsupportedFieldsTest {
  private static final String ROUTED_TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: routed
      spec:
        roles:
          - name: solo
            model: mock-model
            memoryRef:
              name: notes
        pipeline:
          - role: solo
            inputs:
              prompt: hi
      """;

  @Test
  void arkRunRefusesThemAndRunsNothing(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("routed.yaml"), ROUTED_TEAM);

    Cli result = Cli.run("run", file.toString(), "--provider", "mock");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).doesNotContain("Running");
    assertThat(result.err())
        .contains(
            "routed.yaml:9: ArkTeam/routed: spec.roles[0].memoryRef: not supported yet: agent"
                + " memory (memoryRef); see docs/api-coverage.md");
  }

  @Test
  void arkDevRefusesThemBeforeStartingAnything(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("routed.yaml"), ROUTED_TEAM);
    Files.writeString(
        dir.resolve("memory.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata:
          name: notes
        spec:
          backend: in-context
        """);

    Cli result = Cli.run("dev", dir.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("error: invalid manifests:")
        .contains(
            "memory.yaml:2: ArkMemory/notes: kind: not supported yet: the kind ArkMemory (agent"
                + " memory); see docs/api-coverage.md",
            "routed.yaml:9: ArkTeam/routed: spec.roles[0].memoryRef: not supported yet")
        .doesNotContain("\tat ");
  }
}
