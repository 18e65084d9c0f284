package dev.arkonis.ark.activities.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArkRunStatusTest {
  /** The CRD declares an integer: a fraction would make the API server refuse the status. */
  @Test
  void durationIsInWholeSecondsOnceFinished() {
    RunStatus finished =
        new RunStatus(
            "Succeeded",
            "2026-11-30T21:00:00.000Z",
            "2026-11-30T21:00:03.600Z",
            "done",
            null,
            null,
            TokenUsage.ZERO,
            List.of());

    JsonNode status = ArkRunStatus.toJson(finished, "arkrun/ns/r", "run-1");

    assertThat(status.path("durationSeconds").isIntegralNumber()).isTrue();
    assertThat(status.path("durationSeconds").asLong()).isEqualTo(4);
    assertThat(status.path("workflowId").asText()).isEqualTo("arkrun/ns/r");
    assertThat(status.path("workflowRunId").asText()).isEqualTo("run-1");
  }

  @Test
  void aRunningRunHasNoDuration() {
    RunStatus running =
        new RunStatus(
            "Running", "2026-11-30T21:00:00.000Z", null, null, null, null, TokenUsage.ZERO, null);

    assertThat(ArkRunStatus.toJson(running, null, null).has("durationSeconds")).isFalse();
  }

  @Test
  void toolCallsAreListedWithTheirTextsTruncated() {
    StepStatus step =
        new StepStatus(
            "triage",
            "triage",
            "Succeeded",
            1,
            null,
            null,
            "done",
            null,
            TokenUsage.ZERO,
            null,
            null,
            1,
            List.of(
                new StepToolCall("incidents__list", "{}", "ok", "y".repeat(5000)),
                new StepToolCall("delegate", "{\"role\":\"x\"}", "denied", "refused")));
    RunStatus status =
        new RunStatus("Succeeded", null, null, "done", null, null, TokenUsage.ZERO, List.of(step));

    JsonNode calls = ArkRunStatus.toJson(status, null, null).path("steps").get(0).path("toolCalls");

    assertThat(calls).hasSize(2);
    assertThat(calls.get(0).path("name").asText()).isEqualTo("incidents__list");
    assertThat(calls.get(0).path("outcome").asText()).isEqualTo("ok");
    assertThat(calls.get(0).path("result").asText())
        .startsWith("y".repeat(ArkRunStatus.MAX_TOOL_TEXT))
        .endsWith("(truncated; 5000 characters in total)");
    assertThat(calls.get(1).path("outcome").asText()).isEqualTo("denied");
  }

  @Test
  void aStepWithoutToolCallsHasNoToolCallsField() {
    StepStatus step =
        new StepStatus(
            "a", "a", "Running", 1, null, null, null, null, TokenUsage.ZERO, null, null, 0);
    RunStatus status =
        new RunStatus("Running", null, null, null, null, null, TokenUsage.ZERO, List.of(step));

    assertThat(ArkRunStatus.toJson(status, null, null).path("steps").get(0).has("toolCalls"))
        .isFalse();
  }
}
