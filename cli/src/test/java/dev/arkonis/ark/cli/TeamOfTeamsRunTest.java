package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.assertOneLineUserError;
import static dev.arkonis.ark.cli.RunCommandTest.example;
import static dev.arkonis.ark.cli.RunCommandTest.json;
import static dev.arkonis.ark.cli.RunCommandTest.run;
import static dev.arkonis.ark.cli.RunCommandTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code examples/team-of-teams.yaml}: a role with {@code arkTeam} runs another team. */
class TeamOfTeamsRunTest {
  private static final String EXAMPLE = example("team-of-teams.yaml");

  @TempDir Path dir;

  @Test
  void theReviewRoleRunsTheReviewBoardAndItsEditedTextIsPublished() throws IOException {
    Path script =
        Files.writeString(
            dir.resolve("replies.yaml"),
            """
            writer:
              - text: 'Draft about durable agents.'
            critic:
              - text: 'Claim 2 is unsupported.'
            editor:
              - text: 'Edited post about durable agents.'
            """);

    Cli result =
        run(
            EXAMPLE,
            "--team",
            "publishing",
            "durable agents",
            "--mock-script",
            script.toString(),
            "-o",
            "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode runJson = json(result);
    assertThat(runJson.path("status").path("phase").asText()).isEqualTo("Succeeded");
    JsonNode review = step(runJson, "review");
    assertThat(review.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(review.path("output").asText()).isEqualTo("Edited post about durable agents.");
    assertThat(review.path("message").asText()).startsWith("ran ArkTeam review-board: Succeeded");
    JsonNode critic = step(runJson, "review/critic");
    assertThat(critic.path("output").asText()).isEqualTo("Claim 2 is unsupported.");
    assertThat(critic.path("delegatedFrom").asText()).isEqualTo("review");
    assertThat(step(runJson, "review/editor").path("output").asText())
        .isEqualTo("Edited post about durable agents.");
    // the publisher got the child team's output through {{ .steps.review.output }}
    assertThat(step(runJson, "publisher").path("output").asText())
        .contains("Publish this post: Edited post about durable agents.");
    long sum = 0;
    for (JsonNode s : runJson.path("status").path("steps")) {
      sum +=
          s.path("tokenUsage").path("inputTokens").asLong()
              + s.path("tokenUsage").path("outputTokens").asLong();
    }
    JsonNode total = runJson.path("status").path("totalTokenUsage");
    assertThat(total.path("inputTokens").asLong() + total.path("outputTokens").asLong())
        .isEqualTo(sum)
        .isPositive();
  }

  @Test
  void theChildRunsTokensCountInTheParentsBudget() throws IOException {
    String team =
        Files.readString(Path.of(EXAMPLE)).replace("  maxTokens: 50000\n", "  maxTokens: 60\n");
    Path file = Files.writeString(dir.resolve("small-budget.yaml"), team);
    Path script =
        Files.writeString(
            dir.resolve("replies.yaml"),
            """
            writer:
              - {text: 'Draft.', usage: {input: 20, output: 10}}
            critic:
              - {text: 'Critique.', usage: {input: 20, output: 10}}
            editor:
              - {text: 'Edited.', usage: {input: 20, output: 10}}
            """);

    Cli result =
        run(
            file.toString(),
            "--team",
            "publishing",
            "x",
            "--mock-script",
            script.toString(),
            "-o",
            "json");

    JsonNode runJson = json(result);
    assertThat(runJson.path("status").path("phase").asText()).isEqualTo("BudgetExceeded");
    assertThat(runJson.path("status").path("failedStep").asText()).isEqualTo("review");
    assertThat(runJson.path("status").path("message").asText())
        .contains("ArkTeam review-board ended BudgetExceeded", "token budget of 30");
    assertThat(step(runJson, "publisher").path("phase").asText()).isEqualTo("Pending");
  }

  @Test
  void teamsThatRunEachOtherAreRefusedBeforeAnythingRuns() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("cycle.yaml"),
            """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkTeam
            metadata: {name: a}
            spec:
              entry: sub
              roles:
                - {name: sub, arkTeam: b}
            ---
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkTeam
            metadata: {name: b}
            spec:
              entry: back
              roles:
                - {name: back, arkTeam: a}
            """);

    Cli result = run(file.toString(), "--team", "a", "x");

    // the validator names the cycle on both teams, with file and line
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.out()).isEmpty();
    assertThat(result.err())
        .doesNotContain("Exception")
        .contains(
            "cycle.yaml:6: ArkTeam/a: spec.roles: through ArkTeam b: role \"back\" runs ArkTeam"
                + " \"a\", which leads back to it (a → b → a)",
            "cycle.yaml:14: ArkTeam/b: spec.roles: through ArkTeam a:");
  }

  @Test
  void aMissingChildTeamOrAnInputItDoesNotDeclareIsAClearError() throws IOException {
    String text = Files.readString(Path.of(EXAMPLE));
    Path missing =
        Files.writeString(
            dir.resolve("missing.yaml"),
            text.replace("arkTeam: review-board", "arkTeam: reviewrs"));
    assertOneLineUserError(
        run(missing.toString(), "--team", "publishing", "x"),
        "ArkTeam/publishing: role \"review\" runs arkTeam \"reviewrs\", which does not exist in"
            + " namespace default; create the ArkTeam (or add it to the file)");

    Path wrongInput =
        Files.writeString(
            dir.resolve("input.yaml"), text.replace("        draft: \"{{", "        text: \"{{"));
    assertOneLineUserError(
        run(wrongInput.toString(), "--team", "publishing", "x"),
        "ArkTeam/publishing: step \"review\" (role \"review\" runs ArkTeam review-board): input"
            + " \"text\" is not an input of ArkTeam review-board; its inputs are: draft, audience");
  }
}
