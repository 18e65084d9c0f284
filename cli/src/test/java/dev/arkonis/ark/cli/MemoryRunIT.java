package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ArkMemory end to end with {@code ark run} on real backends: a fact stored by a run of one team is
 * recalled by a run of another team whose role uses the same ArkAgent (and so the same memory), and
 * reaches the model's prompt (the mock model echoes the start of its task message). A backend that
 * is down leaves the run Succeeded, with the step saying it ran without memory.
 */
class MemoryRunIT {
  @TempDir Path dir;

  private static String env(String name) {
    String value = System.getenv(name);
    if (value == null || value.isBlank()) {
      fail(name + " is not set: run the tests with scripts/test");
    }
    return value;
  }

  private Path file(String memory, String secret) throws IOException {
    String yaml =
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: memory-secret
        stringData:
        %s
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkMemory
        metadata:
          name: notes
        spec:
        %s
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata:
          name: analyst
        spec:
          model: mock-model
          memoryRef:
            name: notes
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: intake
        spec:
          roles:
            - name: clerk
              arkAgent: analyst
          entry: clerk
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: answers
        spec:
          roles:
            - name: oracle
              arkAgent: analyst
          entry: oracle
        """
            .formatted(secret.indent(2).stripTrailing(), memory.indent(2).stripTrailing());
    return Files.writeString(dir.resolve("memory.yaml"), yaml);
  }

  private static JsonNode run(Path file, String team, String task) throws IOException {
    Cli result = RunCommandTest.run(file.toString(), "--team", team, task, "-o", "json");
    assertThat(result.exitCode()).as(result.err()).isZero();
    return RunCommandTest.json(result);
  }

  private void factStoredByOneTeamIsRecalledByAnother(Path file) throws IOException {
    String code = "OCELOT-" + UUID.randomUUID().toString().substring(0, 6);
    JsonNode first = run(file, "intake", "Remember this: the launch code is " + code);
    assertThat(first.path("status").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(first.toString()).doesNotContain("memory unavailable");

    JsonNode second = run(file, "answers", "What is the launch code?");
    assertThat(second.path("status").path("phase").asText()).isEqualTo("Succeeded");
    // the mock echoes its task message: the recalled memory came first, then the task
    assertThat(second.path("status").path("output").asText())
        .contains("Relevant memories from your earlier tasks")
        .contains("the launch code is " + code);
  }

  @Test
  void redis() throws IOException {
    String url = env("ARK_TEST_REDIS_URL");
    factStoredByOneTeamIsRecalledByAnother(
        file(
            "backend: redis\nredis:\n  secretRef:\n    name: memory-secret\n  maxEntries: 20",
            "REDIS_URL: " + url));
  }

  @Test
  void pgvector() throws IOException {
    String url = env("ARK_TEST_PGVECTOR_URL");
    factStoredByOneTeamIsRecalledByAnother(
        file(
            "backend: vector-store\nvectorStore:\n  provider: pgvector\n  endpoint: "
                + url
                + "\n  collection: memory-run-"
                + UUID.randomUUID().toString().substring(0, 8),
            "UNUSED: x"));
  }

  @Test
  void aRedisThatIsDownLeavesTheRunSucceededWithoutMemory() throws IOException {
    Path file =
        file(
            "backend: redis\nredis:\n  secretRef:\n    name: memory-secret",
            "REDIS_URL: redis://:topsecret@127.0.0.1:1/0");
    JsonNode run = run(file, "intake", "Remember this: nothing");
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    JsonNode step = run.path("status").path("steps").get(0);
    assertThat(step.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(step.path("message").asText())
        .startsWith("memory unavailable, running without it: ArkMemory default/notes (redis):");
    assertThat(run.toString()).doesNotContain("topsecret");
  }
}
