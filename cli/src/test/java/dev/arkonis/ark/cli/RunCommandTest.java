package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code ark run} end to end in-process: the embedded Temporal service, one worker per agent task
 * queue and the mock provider ({@code --provider mock}, so an API key in the environment never
 * leads to the network).
 *
 * <p>This class covers a successful run and its outputs (JSON, text, dry run) and holds the helpers
 * shared by the other {@code ark run} tests: {@link RunCommandExamplesTest} (every example) and
 * {@link RunCommandErrorsTest} (bad input, failures and exit codes).
 */
class RunCommandTest {
  static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RFC3339_MILLIS =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

  /** The blog-writer team of the module's fixtures (a three-step pipeline). */
  static String blogWriter() {
    return Cli.fixture("blog-writer-team.yaml").toString();
  }

  /** The file this class runs: the fixture here, the upstream recipe in the compat suite. */
  String recipe() {
    return blogWriter();
  }

  static String example(String name) {
    return Cli.repoRoot().resolve("examples").resolve(name).toString();
  }

  /** {@code ark run} with the mock provider. */
  static Cli run(String... args) {
    List<String> all = new ArrayList<>(List.of("run", "--provider", "mock"));
    all.addAll(List.of(args));
    return Cli.run(all.toArray(String[]::new));
  }

  static JsonNode json(Cli result) throws IOException {
    assertThat(result.out()).as("stdout (stderr: %s)", result.err()).isNotBlank();
    return JSON.readTree(result.out());
  }

  static JsonNode step(JsonNode run, String name) {
    for (JsonNode step : run.path("status").path("steps")) {
      if (step.path("name").asText().equals(name)) {
        return step;
      }
    }
    throw new AssertionError("no step " + name + " in " + run.path("status").path("steps"));
  }

  static Map<String, Integer> attempts(JsonNode run) {
    Map<String, Integer> attempts = new LinkedHashMap<>();
    run.path("status")
        .path("steps")
        .forEach(s -> attempts.put(s.path("name").asText(), s.path("attempts").asInt()));
    return attempts;
  }

  /** A user error: exit 2, one line on stderr naming the culprit, nothing on stdout. */
  static void assertOneLineUserError(Cli result, String... fragments) {
    assertThat(result.exitCode()).as("exit code; stderr: %s", result.err()).isEqualTo(2);
    String err = result.err().strip();
    assertThat(err).as("stderr").isNotEmpty().doesNotContain("\n", "Exception", "\tat ");
    assertThat(err).startsWith("error: ").contains(fragments);
    assertThat(result.out()).as("stdout").isEmpty();
  }

  /** One successful blog-writer run as JSON, shared by the assertions on its ArkRun object. */
  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class BlogWriterAsJson {
    Cli result;
    JsonNode run;
    JsonNode status;

    @BeforeAll
    void runOnce() throws IOException {
      result = run(recipe(), "--input", "{\"topic\":\"Temporal for AI agents\"}", "-o", "json");
      assertThat(result.exitCode()).as("stderr: %s", result.err()).isZero();
      run = json(result);
      status = run.path("status");
    }

    @Test
    void printsAnArkRunObjectThatSucceeded() {
      assertThat(run.path("apiVersion").asText()).isEqualTo("arkonis.dev/v1alpha1");
      assertThat(run.path("kind").asText()).isEqualTo("ArkRun");
      assertThat(run.path("metadata").path("name").asText()).startsWith("blog-writer-team-");
      assertThat(run.path("metadata").path("namespace").asText()).isEqualTo("ark-teams");
      assertThat(run.path("spec").path("teamRef").path("name").asText())
          .isEqualTo("blog-writer-team");
      assertThat(status.path("phase").asText()).isEqualTo("Succeeded");
      assertThat(status.path("workflowId").asText())
          .isEqualTo("arkrun/ark-teams/" + run.path("metadata").path("name").asText());
      assertThat(status.path("steps"))
          .allSatisfy(
              s -> {
                assertThat(s.path("phase").asText()).isEqualTo("Succeeded");
                assertThat(s.path("attempts").asInt()).isEqualTo(1);
              });
    }

    @Test
    void appliesTheDefaultOfAnOmittedInput() {
      assertThat(run.path("spec").path("input").path("topic").asText())
          .isEqualTo("Temporal for AI agents");
      assertThat(run.path("spec").path("input").path("audience").asText())
          .isEqualTo("software engineers");
    }

    @Test
    void runsTheStepsInDependencyOrder() {
      List<String> names = new ArrayList<>();
      status.path("steps").forEach(s -> names.add(s.path("name").asText()));
      assertThat(names).containsExactly("researcher", "writer", "editor");
      assertStartsAfter("writer", "researcher");
      assertStartsAfter("editor", "writer");
    }

    private void assertStartsAfter(String name, String dependency) {
      Instant start = Instant.parse(step(run, name).path("startTime").asText());
      Instant doneBefore = Instant.parse(step(run, dependency).path("completionTime").asText());
      assertThat(start)
          .as("%s starts after %s completed", name, dependency)
          .isAfterOrEqualTo(doneBefore);
    }

    @Test
    void researcherOutputMatchesItsOutputSchema() throws IOException {
      JsonNode team = new ManifestLoader().load(Path.of(recipe())).manifests().get(0).tree();
      String schema = team.path("spec").path("pipeline").get(0).path("outputSchema").asText();
      JsonNode data = step(run, "researcher").path("outputJSON");

      assertThat(data.isObject()).as("researcher outputJSON: %s", data).isTrue();
      assertThat(JsonSchemas.violations(schema, data)).isEmpty();
      assertThat(data.path("keyPoints").isArray()).isTrue();
      assertThat(JSON.readTree(step(run, "researcher").path("output").asText())).isEqualTo(data);
    }

    @Test
    void outputIsTheEditorOutput() {
      assertThat(status.path("output").asText())
          .isNotBlank()
          .isEqualTo(step(run, "editor").path("output").asText());
    }

    @Test
    void totalTokensAreTheSumOfTheSteps() {
      long sum = 0;
      for (JsonNode s : status.path("steps")) {
        JsonNode usage = s.path("tokenUsage");
        assertThat(usage.path("totalTokens").asLong())
            .isPositive()
            .isEqualTo(usage.path("inputTokens").asLong() + usage.path("outputTokens").asLong());
        sum += usage.path("totalTokens").asLong();
      }
      JsonNode total = status.path("totalTokenUsage");
      assertThat(total.path("totalTokens").asLong()).isPositive().isEqualTo(sum);
      assertThat(total.path("totalTokens").asLong())
          .isEqualTo(total.path("inputTokens").asLong() + total.path("outputTokens").asLong());
    }

    @Test
    void timesAreRfc3339WithMilliseconds() {
      List<String> times = new ArrayList<>();
      times.add(status.path("startTime").asText());
      times.add(status.path("completionTime").asText());
      for (JsonNode s : status.path("steps")) {
        times.add(s.path("startTime").asText());
        times.add(s.path("completionTime").asText());
      }
      assertThat(times).allMatch(t -> RFC3339_MILLIS.matcher(t).matches(), "RFC 3339 with ms");
      assertThat(Instant.parse(status.path("completionTime").asText()))
          .isAfterOrEqualTo(Instant.parse(status.path("startTime").asText()));
    }
  }

  @Test
  void textOutputPrintsTheStepTableAndThePhase() {
    Cli result = run(recipe(), "--input", "{\"topic\":\"x\"}", "-o", "text");

    assertThat(result.exitCode()).as("stderr: %s", result.err()).isZero();
    assertThat(result.out())
        .containsPattern("STEP\\s+ROLE\\s+PHASE\\s+ATTEMPTS\\s+TOKENS\\s+DURATION")
        .containsPattern("(?m)^researcher\\s+researcher\\s+Succeeded\\s+1\\s")
        .containsPattern("(?m)^writer\\s+writer\\s+Succeeded\\s+1\\s")
        .containsPattern("(?m)^editor\\s+editor\\s+Succeeded\\s+1\\s")
        .contains("Output:")
        .containsPattern("Run blog-writer-team-\\S+ Succeeded in ")
        .contains("workflow arkrun/ark-teams/blog-writer-team-");
  }

  // --- dry run ---------------------------------------------------------------------------------

  @Test
  void dryRunPrintsThePlanAndStartsNothing() {
    // an unreachable Temporal: a dry run must not need one
    Cli result =
        run(
            recipe(),
            "--input",
            "{\"topic\":\"x\"}",
            "--dry-run",
            "--temporal-address",
            "127.0.0.1:1");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("Team blog-writer-team (namespace ark-teams)")
        .containsPattern("→ workflow arkrun/ark-teams/blog-writer-team-\\w{5}")
        .contains(
            "researcher: model qwen2.5:7b on task queue ark/ark-teams/blog-writer-team-researcher")
        .contains("on task queue ark/ark-teams/blog-writer-team-writer")
        .contains("on task queue ark/ark-teams/blog-writer-team-editor")
        .containsPattern("(?m)^\\s+researcher \\(role researcher\\)$")
        .containsPattern("(?m)^\\s+writer \\(role writer\\) after researcher$")
        .containsPattern("(?m)^\\s+editor \\(role editor\\) after writer$")
        .contains("Timeout: 600s")
        .doesNotContain("Running", "Succeeded");
    assertThat(result.err()).doesNotContain("error", "Temporal");
  }

  @Test
  void keyValueInputsMixWithJsonInputs() throws IOException {
    Cli result =
        run(
            blogWriter(),
            "--input",
            "topic=AI agents = teams",
            "--input",
            "{\"audience\": \"kids\"}",
            "-o",
            "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode input = json(result).path("spec").path("input");
    assertThat(input.path("topic").asText()).isEqualTo("AI agents = teams");
    assertThat(input.path("audience").asText()).isEqualTo("kids");
  }
}
