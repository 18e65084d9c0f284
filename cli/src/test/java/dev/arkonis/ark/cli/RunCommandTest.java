package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ark run} end to end in-process: the embedded Temporal service, one worker per agent task
 * queue and the mock provider ({@code --provider mock}, so an API key in the environment never
 * leads to the network).
 */
class RunCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern RFC3339_MILLIS =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");

  static String blogWriter() {
    return Cli.shared().resolve("upstream-examples/blog-writer.yaml").toString();
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
      result = run(blogWriter(), "--input", "{\"topic\":\"Temporal for AI agents\"}", "-o", "json");
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
      JsonNode team = new ManifestLoader().load(Path.of(blogWriter())).manifests().get(0).tree();
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
    Cli result = run(blogWriter(), "--input", "{\"topic\":\"x\"}", "-o", "text");

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

  // --- every example -------------------------------------------------------------------------

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

  // --- bad input: one line, exit 2, the culprit named ------------------------------------------

  @Test
  void unknownTeamListsTheTeamsInTheFile() {
    assertOneLineUserError(
        run(blogWriter(), "--team", "nope", "--input", "{\"topic\":\"x\"}"),
        "--team nope",
        "no such ArkTeam",
        "blog-writer-team");
  }

  @Test
  void malformedInputJson() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topic\": "), "--input is not valid JSON");
  }

  @Test
  void inputThatIsNotAnObject() {
    assertOneLineUserError(run(blogWriter(), "--input", "[1]"), "--input must be a JSON object");
  }

  @Test
  void missingRequiredInputIsNamed() {
    assertOneLineUserError(
        run(blogWriter()),
        "ArkTeam/blog-writer-team",
        "missing required input",
        "\"topic\"",
        "--input");
  }

  @Test
  void unknownInputKeyGetsADidYouMean() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topik\":\"x\"}"),
        "unknown input \"topik\"",
        "did you mean \"topic\"?");
  }

  @Test
  void unreachableTemporalFailsFast() {
    Cli result =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                run(
                    blogWriter(),
                    "--input",
                    "{\"topic\":\"x\"}",
                    "--temporal-address",
                    "127.0.0.1:1"));
    assertOneLineUserError(result, "cannot reach Temporal at 127.0.0.1:1");
  }

  @Test
  void unknownOutputFormat() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topic\":\"x\"}", "--output", "yaml"),
        "--output must be text or json",
        "yaml");
  }

  @Test
  void failRateOutOfRange() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topic\":\"x\"}", "--mock-fail-rate", "2"),
        "--mock-fail-rate must be between 0 and 1");
  }

  @Test
  void freeTextForATeamWithSeveralInputs() {
    assertOneLineUserError(
        run(blogWriter(), "write about operators"), "several inputs", "topic, audience", "--input");
  }

  @Test
  void invalidFileIsReportedWithItsLineAndNothingRuns() {
    Path file = Path.of("src/test/resources/invalid/unknown-dependency.yaml").toAbsolutePath();
    // an unreachable Temporal: were a run started, the error would be about it instead
    Cli result = run(file.toString(), "--temporal-address", "127.0.0.1:1");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err().strip())
        .doesNotContain("\n", "Exception", "Temporal")
        .contains(
            "unknown-dependency.yaml:17",
            "ArkTeam/dep-team: spec.pipeline[1].dependsOn[0]: unknown step \"reseacher\"");
    assertThat(result.out()).isEmpty();
  }

  // --- dry run ---------------------------------------------------------------------------------

  @Test
  void dryRunPrintsThePlanAndStartsNothing() {
    // an unreachable Temporal: a dry run must not need one
    Cli result =
        run(
            blogWriter(),
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

  // --- faults and phases other than Succeeded --------------------------------------------------

  @Test
  void succeedsDespiteMockFailuresAtRateZeroPointThree() throws IOException {
    Cli result =
        run(blogWriter(), "--input", "{\"topic\":\"x\"}", "--mock-fail-rate", "0.3", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(json(result).path("status").path("phase").asText()).isEqualTo("Succeeded");
  }

  /**
   * The mock's failures come from a {@code java.util.Random} seeded with 42, shared by the agents
   * of one model and timeout (the three blog-writer roles): the draws are 0.728, 0.683, 0.309,
   * 0.277, 0.666, … so at rate 0.5 the editor's first two attempts fail and Temporal's retry policy
   * (3 attempts by default) gets the third one through. At 0.3 no blog-writer call fails.
   */
  @Test
  void temporalRetriesFailedMockCalls() throws IOException {
    Cli result =
        run(blogWriter(), "--input", "{\"topic\":\"x\"}", "--mock-fail-rate", "0.5", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode run = json(result);
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(attempts(run))
        .containsExactly(
            Map.entry("researcher", 1), Map.entry("writer", 1), Map.entry("editor", 3));
  }

  @Test
  void stepFailingEveryAttemptFailsTheRunWithExitOne() throws IOException {
    Cli result =
        run(blogWriter(), "--input", "{\"topic\":\"x\"}", "--mock-fail-rate", "1", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    JsonNode status = json(result).path("status");
    assertThat(status.path("phase").asText()).isEqualTo("Failed");
    assertThat(status.path("failedStep").asText()).isEqualTo("researcher");
    assertThat(status.path("message").asText())
        .contains("step researcher", "failed 3 times", "simulated server error");
    assertThat(step(json(result), "researcher").path("attempts").asInt()).isEqualTo(3);
    assertThat(step(json(result), "writer").path("phase").asText()).isEqualTo("Pending");
  }

  @Test
  void exceedingTheTokenBudgetExitsOneSayingWhy(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("tiny-budget.yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: tiny-budget
        spec:
          maxTokens: 10
          inputs:
            - name: topic
              required: true
          roles:
            - name: writer
              model: llama3.2
          pipeline:
            - name: draft
              role: writer
              inputs:
                prompt: "Write a long essay about {{ .input.topic }}."
            - name: polish
              role: writer
              dependsOn: [draft]
              inputs:
                prompt: "Polish: {{ .steps.draft.output }}"
        """);

    Cli result = run(file.toString(), "Kubernetes operators");

    assertThat(result.exitCode()).as(result.err()).isEqualTo(1);
    assertThat(result.out())
        .containsPattern("Run tiny-budget-\\S+ BudgetExceeded in ")
        .containsPattern(
            "(?m)^BudgetExceeded: step draft: token budget of 10 exceeded by step draft \\(\\d+ used\\); raise spec.maxTokens$")
        .containsPattern("(?m)^draft\\s+writer\\s+Failed\\s")
        .containsPattern("(?m)^polish\\s+writer\\s+Pending\\s");
  }
}
