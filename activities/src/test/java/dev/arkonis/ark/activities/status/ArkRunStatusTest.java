package dev.arkonis.ark.activities.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.RunStatus;
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
}
