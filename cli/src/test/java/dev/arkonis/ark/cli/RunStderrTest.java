package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code ark run} prints on stderr when model calls fail, in its own JVM (log levels are set
 * per process, as for a user): the failure is reported on its step, not as Temporal's stack traces.
 */
class RunStderrTest {
  private static final String TEAM =
      """
      apiVersion: arkonis.dev/v1alpha1
      kind: ArkTeam
      metadata:
        name: flaky
      spec:
        inputs:
          - name: topic
        roles:
          - name: writer
            model: mock-model
            systemPrompt: You write.
        pipeline:
          - role: writer
            inputs:
              prompt: "Write about {{ .input.topic }}"
      """;

  record Result(int exitCode, String out, String err) {}

  private static Result ark(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.arkonis.ark.cli.Main");
    command.addAll(List.of(args));
    Path out = dir.resolve("out.txt");
    Path err = dir.resolve("err.txt");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("ark " + String.join(" ", args) + " did not finish in 120 s");
    }
    return new Result(
        process.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void failingModelCallsPrintNoStackTracesUnlessVerbose(@TempDir Path dir) throws Exception {
    Path team = dir.resolve("team.yaml");
    Files.writeString(team, TEAM);
    String[] failing = {
      "run", team.toString(), "agents", "--provider", "mock", "--mock-fail-rate", "1", "-o", "json"
    };

    Result quiet = ark(dir, failing);

    assertThat(quiet.exitCode()).as("stderr: %s", quiet.err()).isEqualTo(Main.EXIT_RUN_FAILED);
    JsonNode run = new ObjectMapper().readTree(quiet.out());
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Failed");
    assertThat(run.path("status").path("message").asText()).contains("step writer");
    assertThat(quiet.err()).doesNotContain("\tat ", "Exception", "Activity failure");

    List<String> verbose = new ArrayList<>(List.of(failing));
    verbose.add("--verbose");
    Result loud = ark(dir, verbose.toArray(String[]::new));

    assertThat(loud.exitCode()).isEqualTo(Main.EXIT_RUN_FAILED);
    assertThat(loud.err()).as("--verbose keeps the details").contains("Activity failure", "\tat ");
  }
}
