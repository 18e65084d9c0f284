package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official A2A Python SDK ({@code a2a-sdk} from PyPI, provisioned by {@code scripts/a2a-python}
 * and given as {@code ARK_TEST_A2A_PYTHON}) against an ArkService served by {@code ark dev} on the
 * real Temporal dev server: agent card, a blocking message, tasks/get, a stream, a cancel, an
 * unknown task.
 */
class A2aPythonClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  static A2aFixture fixture;
  static Map<String, JsonNode> steps = new LinkedHashMap<>();
  static String output;

  @BeforeAll
  static void run() throws Exception {
    String python = System.getenv("ARK_TEST_A2A_PYTHON");
    if (python == null || python.isBlank()) {
      throw new IllegalStateException(
          "ARK_TEST_A2A_PYTHON is not set: run the tests with scripts/test (scripts/a2a-python"
              + " provisions the a2a-sdk virtualenv)");
    }
    fixture = new A2aFixture(dir, Duration.ofMillis(3000));
    String url = fixture.endpoints().get(0);
    Path script = dir.resolve("python_client.py");
    try (InputStream in = A2aPythonClientIT.class.getResourceAsStream("/a2a/python_client.py")) {
      Files.write(script, in.readAllBytes());
    }
    Process process =
        new ProcessBuilder(python, script.toString(), url).redirectErrorStream(true).start();
    boolean exited = process.waitFor(180, TimeUnit.SECONDS);
    output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!exited) {
      process.destroyForcibly();
    }
    for (String line : output.split("\n")) {
      if (line.startsWith("{")) {
        JsonNode step = JSON.readTree(line);
        steps.put(step.path("step").asText(), step);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (fixture != null) {
      fixture.close();
    }
  }

  private static JsonNode step(String name) {
    assertThat(steps).as("the Python client's output:\n%s", output).containsKey(name);
    return steps.get(name);
  }

  @Test
  void fetchesTheAgentCardWithOneSkillPerAgent() {
    JsonNode card = step("card");
    assertThat(card.path("name").asText()).isEqualTo("helpers");
    assertThat(card.path("skills").toString()).contains("helper-a", "helper-b");
    assertThat(card.path("streaming").asBoolean()).isTrue();
    assertThat(card.path("interfaces").get(0).get(0).asText()).isEqualTo("JSONRPC");
    assertThat(card.path("interfaces").get(0).get(1).asText()).isEqualTo("0.3.0");
  }

  @Test
  void aBlockingMessageReturnsTheCompletedTaskWithTheAnswer() {
    JsonNode send = step("send");
    assertThat(send.path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(send.path("answer").asText()).isNotBlank();
    assertThat(send.path("agent").asText()).isIn("helper-a", "helper-b");
    JsonNode got = step("get");
    assertThat(got.path("id").asText()).isEqualTo(send.path("id").asText());
    assertThat(got.path("state").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(got.path("answer").asText()).isEqualTo(send.path("answer").asText());
    List<String> history = new ArrayList<>();
    got.path("history").forEach(r -> history.add(r.asText()));
    assertThat(history).containsExactly("ROLE_USER", "ROLE_AGENT");
  }

  @Test
  void aStreamDeliversTheTaskItsAnswerAndTheFinalState() {
    JsonNode stream = step("stream");
    assertThat(stream.path("kinds").toString())
        .contains("task", "status_update", "artifact_update");
    assertThat(stream.path("final").asText()).isEqualTo("TASK_STATE_COMPLETED");
    assertThat(step("stream-artifact").path("text").asText()).isNotBlank();
  }

  @Test
  void aRunningTaskIsCanceled() {
    assertThat(step("started").path("state").asText()).isEqualTo("TASK_STATE_WORKING");
    JsonNode cancel = step("cancel");
    assertThat(cancel.path("id").asText()).isEqualTo(step("started").path("id").asText());
    assertThat(cancel.path("state").asText()).isEqualTo("TASK_STATE_CANCELED");
  }

  @Test
  void anUnknownTaskIsAnError() {
    JsonNode unknown = step("unknown-task");
    assertThat(unknown.path("error").isNull()).isFalse();
    assertThat(unknown.path("message").asText()).contains("not found");
  }
}
