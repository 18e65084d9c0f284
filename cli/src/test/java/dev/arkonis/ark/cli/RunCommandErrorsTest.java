package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.assertOneLineUserError;
import static dev.arkonis.ark.cli.RunCommandTest.attempts;
import static dev.arkonis.ark.cli.RunCommandTest.blogWriter;
import static dev.arkonis.ark.cli.RunCommandTest.json;
import static dev.arkonis.ark.cli.RunCommandTest.run;
import static dev.arkonis.ark.cli.RunCommandTest.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark run} when something goes wrong: bad input is one line on stderr with exit 2, the
 * culprit named; mock faults are retried by Temporal, and a run that ends in a phase other than
 * Succeeded exits 1.
 */
class RunCommandErrorsTest {

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
  void aPipelineWithNoStepsIsRejectedInsteadOfHanging(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("empty.yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: empty-team}
        spec:
          roles: [{name: writer, model: llama3.2}]
          pipeline: []
        """);
    Cli result = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> run(file.toString()));
    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    assertThat(result.err())
        .contains("empty.yaml:6: ArkTeam/empty-team: spec.pipeline: pipeline has no steps")
        .doesNotContain("Exception");
  }

  @Test
  void malformedInputJson() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topic\": "), "--input is not valid JSON");
  }

  @Test
  void anInputGivenTwiceInEitherFormIsRefused() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "{\"topic\": \"a\"}", "--input", "topic=b"),
        "--input: input \"topic\" is given twice; give each input once");
    assertOneLineUserError(
        run(blogWriter(), "--input", "topic=a", "--input", "topic=b"),
        "input \"topic\" is given twice");
  }

  @Test
  void anInputWithoutKeyOrJsonIsRefused() {
    assertOneLineUserError(
        run(blogWriter(), "--input", "topic"), "--input topic: use key=value or a JSON object");
    assertOneLineUserError(run(blogWriter(), "--input", "=x"), "--input =x: use key=value");
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
            "unknown-dependency.yaml:18",
            "ArkTeam/dep-team: spec.pipeline[1].dependsOn[0]: unknown step \"reseacher\"");
    assertThat(result.out()).isEmpty();
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
