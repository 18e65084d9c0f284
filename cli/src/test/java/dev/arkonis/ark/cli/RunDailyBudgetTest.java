package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code limits.maxDailyTokens} through {@code ark run}: the in-process ledger caps the agent. */
class RunDailyBudgetTest {
  @TempDir Path dir;

  @Test
  void aRunOverTheDailyBudgetFailsWithTheBudgetMessage() throws IOException {
    Path file = dir.resolve("team.yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: capped
        spec:
          inputs:
            - name: topic
              required: true
          roles:
            - name: writer
              model: llama3.2
              limits: {maxTokensPerCall: 40, maxDailyTokens: 120}
          pipeline:
            - name: draft
              role: writer
              inputs:
                prompt: "Write about {{ .input.topic }}."
            - name: polish
              role: writer
              dependsOn: [draft]
              inputs:
                prompt: "Polish: {{ .steps.draft.output }}"
            - name: shorten
              role: writer
              dependsOn: [polish]
              inputs:
                prompt: "Shorten: {{ .steps.polish.output }}"
            - name: title
              role: writer
              dependsOn: [shorten]
              inputs:
                prompt: "Title for: {{ .steps.shorten.output }}"
        """);

    Cli result = run(file.toString(), "Kubernetes operators");

    assertThat(result.exitCode()).as(result.out() + result.err()).isEqualTo(1);
    assertThat(result.out())
        .containsPattern(
            "(?m)^Failed: step \\w+: agent default/capped-writer is over its daily token budget:"
                + " \\d+ of 120 tokens \\(limits.maxDailyTokens\\) used in the last 24h(, too few"
                + " left for this call's prompt \\(about \\d+ tokens\\))?; it resets"
                + " at \\S+Z; raise limits.maxDailyTokens or wait until then$")
        .containsPattern("(?m)^draft\\s+writer\\s+Succeeded\\s");
    assertThat(result.err())
        .as(result.out())
        .containsPattern(
            "ark: agent default/capped-writer reached its daily token budget \\(\\d+ of 120"
                + " tokens, limits.maxDailyTokens\\); its model calls are refused until \\S+Z");
  }
}
