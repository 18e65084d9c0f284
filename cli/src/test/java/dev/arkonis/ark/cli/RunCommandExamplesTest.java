package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.JSON;
import static dev.arkonis.ark.cli.RunCommandTest.assertOneLineUserError;
import static dev.arkonis.ark.cli.RunCommandTest.example;
import static dev.arkonis.ark.cli.RunCommandTest.json;
import static dev.arkonis.ark.cli.RunCommandTest.run;
import static dev.arkonis.ark.cli.RunCommandTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ark run} on every file of {@code examples/} with the mock provider. */
class RunCommandExamplesTest {

  static Stream<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(Cli.repoRoot().resolve("examples"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  /**
   * Runs every team of every example with made-up inputs: free text for a single-input team (as
   * {@code ark run examples/research-team.yaml "some task"}), else {@code --input} with each
   * required input.
   */
  @ParameterizedTest
  @MethodSource("exampleFiles")
  void everyExampleTeamSucceedsWithTheMock(Path file) throws IOException {
    LoadResult loaded = new ManifestLoader().load(file);
    assertThat(loaded.problems()).isEmpty();
    List<Manifest> teams =
        loaded.manifests().stream().filter(m -> m.kind().equals("ArkTeam")).toList();
    if (teams.isEmpty()) {
      assertOneLineUserError(run(file.toString()), file.toString(), "no ArkTeam in the file");
      return;
    }
    for (Manifest team : teams) {
      JsonNode spec = team.tree().path("spec");
      List<String> args = new ArrayList<>(List.of(file.toString(), "--team", team.name()));
      if (InputResolver.declared(spec).size() == 1) {
        args.add("some task");
      } else {
        Map<String, String> input = new HashMap<>();
        spec.path("inputs")
            .forEach(
                i -> {
                  if (i.path("required").asBoolean()) {
                    input.put(i.path("name").asText(), "x");
                  }
                });
        args.addAll(List.of("--input", JSON.writeValueAsString(input)));
      }
      args.addAll(List.of("-o", "json"));

      Cli result = run(args.toArray(String[]::new));

      assertThat(result.exitCode())
          .as("%s: %s%s", team.name(), result.err(), result.out())
          .isZero();
      JsonNode status = json(result).path("status");
      assertThat(status.path("phase").asText()).isEqualTo("Succeeded");
      assertThat(status.path("steps"))
          .isNotEmpty()
          .allSatisfy(s -> assertThat(s.path("phase").asText()).isEqualTo("Succeeded"));
      assertThat(status.path("output").asText()).isNotBlank();
    }
  }

  @Test
  void examplesCoverBothModes() throws IOException {
    assertThat(exampleFiles().map(p -> p.getFileName().toString()))
        .contains("research-team.yaml", "blog-pipeline.yaml", "primitives.yaml");
  }

  @Test
  void researchTeamTakesFreeText() throws IOException {
    Cli result = run(example("research-team.yaml"), "some task", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode run = json(result);
    assertThat(run.path("spec").path("input").path("task").asText()).isEqualTo("some task");
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    // dynamic mode: the entry role gets the task
    JsonNode coordinator = step(run, "coordinator");
    assertThat(coordinator.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(coordinator.path("output").asText()).isNotBlank();
  }

  @Test
  void primitivesHasNoTeamToRun() {
    assertOneLineUserError(
        run(example("primitives.yaml")), "primitives.yaml", "no ArkTeam in the file");
  }
}
