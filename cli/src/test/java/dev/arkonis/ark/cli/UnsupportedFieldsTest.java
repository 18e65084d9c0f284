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
  private static final String TEAM_WITH_SETTINGS =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkSettings
      metadata:
        name: notes
      spec:
        memoryBackend: redis
      ---
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: solo
      spec:
        roles:
          - name: solo
            model: mock-model
            configRef: notes
        pipeline:
          - role: solo
            inputs:
              prompt: hi
      """;

  private static final String MESSAGE =
      "ArkSettings/notes: spec.memoryBackend: not supported yet: memoryBackend (give the agent an"
          + " ArkMemory with memoryRef instead); see docs/api-coverage.md";

  @Test
  void arkRunRefusesThemAndRunsNothing(@TempDir Path dir) throws IOException {
    Path file = Files.writeString(dir.resolve("team.yaml"), TEAM_WITH_SETTINGS);

    Cli result = Cli.run("run", file.toString(), "--provider", "mock");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).doesNotContain("Running");
    assertThat(result.err()).contains("team.yaml:6: " + MESSAGE);
  }

  @Test
  void arkDevRefusesThemBeforeStartingAnything(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("team.yaml"), TEAM_WITH_SETTINGS);

    Cli result = Cli.run("dev", dir.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .startsWith("error: invalid manifests:")
        .contains("team.yaml:6: " + MESSAGE)
        .doesNotContain("\tat ");
  }
}
