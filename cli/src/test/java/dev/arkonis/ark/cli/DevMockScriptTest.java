package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark dev --mock-script}: the in-process agent workers answer from the script, and the
 * ArkRun's status (written by the operator's status writer) lists the steps' tool calls.
 */
class DevMockScriptTest {
  @TempDir Path dir;

  private static final Path TEAM = Cli.repoRoot().resolve("examples/mock-script/support-team.yaml");
  private static final Path SCRIPT = Cli.repoRoot().resolve("examples/mock-script/replies.yaml");

  private static DevRuntime.Options options(Path folder, MockScript script) {
    return new DevRuntime.Options(
        folder, null, null, null, "default", 0, "mock", Duration.ZERO, "ark:dev", script);
  }

  @Test
  void aRunsStatusListsTheScriptedToolCalls() throws Exception {
    Files.copy(TEAM, dir.resolve("team.yaml"));
    Files.writeString(
        dir.resolve("run.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata: {name: desk-1}
        spec:
          teamRef: {name: support-desk}
          input: {ticket: "I was charged twice for invoice 1042"}
        """);
    try (DevRuntime dev = new DevRuntime(options(dir, MockScripts.load(SCRIPT)), line -> {})) {
      JsonNode status =
          await()
              .atMost(Duration.ofSeconds(60))
              .until(
                  () ->
                      dev.client()
                          .getKubernetesSerialization()
                          .convertValue(
                              dev.client()
                                  .resources(ArkRun.class)
                                  .inNamespace("default")
                                  .withName("desk-1")
                                  .get(),
                              JsonNode.class)
                          .path("status"),
                  s -> s.path("phase").asText().equals("Succeeded"));

      assertThat(status.path("output").asText())
          .isEqualTo(
              "Sorry about that: the double charge on invoice 1042 is refunded (49.00 EUR).");
      JsonNode triage = status.path("steps").get(0);
      assertThat(triage.path("name").asText()).isEqualTo("triage");
      JsonNode call = triage.path("toolCalls").get(0);
      assertThat(call.path("name").asText()).isEqualTo("delegate");
      assertThat(call.path("outcome").asText()).isEqualTo("ok");
      assertThat(call.path("result").asText())
          .isEqualTo("Refund of 49.00 EUR issued for invoice 1042.");
    }
  }

  @Test
  void aKeyThatIsNoRoleOrAgentOfTheFolderIsRefusedBeforeAnythingStarts() throws Exception {
    Files.copy(TEAM, dir.resolve("team.yaml"));
    Path script = dir.resolve("script.yml.txt");
    Files.writeString(script, "triage:\n  - text: a\nrefunds:\n  - text: b\n");

    UserError error =
        catchThrowableOfType(
            () -> new DevRuntime(options(dir, MockScripts.load(script)), line -> {}),
            UserError.class);

    assertThat(error.getMessage())
        .contains(
            script
                + ":3: refunds: no role or ArkAgent of this name in the manifests of "
                + dir
                + "; a key is a role name (roles: billing, triage");
  }

  @Test
  void aBadScriptStopsArkDevWithExitCode2() throws Exception {
    Path script = dir.resolve("bad.yaml");
    Files.writeString(script, "triage: [{text: a, usage: {input: -1}}]\n");

    Cli result = Cli.run("dev", "--mock-script", script.toString(), "--port", "0");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains(script + ":1: triage[0].usage.input: a token count is a whole number >= 0")
        .doesNotContain("Exception");
  }
}
