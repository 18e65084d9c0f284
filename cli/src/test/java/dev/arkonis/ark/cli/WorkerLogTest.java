package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The own log of {@code ark dev}'s in-process agent workers, as the dashboard tails it. */
class WorkerLogTest {
  private static final String QUEUE = "ark/dash/writer";
  private final WorkerLog log =
      new WorkerLog(Clock.fixed(Instant.parse("2026-12-01T03:00:00Z"), ZoneOffset.UTC));

  private static ChatRequest request(String prompt) {
    return new ChatRequest(
        "step", "draft", null, List.of(ChatMessage.user(prompt)), null, List.of(), "team");
  }

  @Test
  void modelAndToolCallsAreLoggedWithoutTheirText() {
    AgentActivities chat =
        (AgentActivities)
            log.logging(
                QUEUE,
                (AgentActivities)
                    r ->
                        new ChatResponse(
                            "secret answer", List.of(), new TokenUsage(12, 3), null, List.of(), 1));
    ToolActivities tools =
        (ToolActivities)
            log.logging(
                QUEUE,
                new ToolActivities() {
                  @Override
                  public ToolList listTools(dev.arkonis.ark.workflows.api.AgentSpec agent) {
                    return new ToolList(List.of(), List.of());
                  }

                  @Override
                  public ToolResult callTool(ToolCallRequest request) {
                    throw ApplicationFailure.newFailure(
                        "MCP server kb unreachable", "ToolUnavailable");
                  }
                });

    chat.chat(request("the secret prompt"));
    assertThatThrownBy(
            () -> tools.callTool(new ToolActivities.ToolCallRequest(null, "kb__lookup", "{}")))
        .isInstanceOf(ApplicationFailure.class);

    String text = log.tail("dash", "writer", 10).orElseThrow();
    assertThat(text.lines())
        .containsExactly(
            "2026-12-01T03:00:00Z chat step · step draft: answered in 0 ms, tokens 12 in / 3 out",
            "2026-12-01T03:00:00Z tool kb__lookup: failed after 0 ms: MCP server kb unreachable");
    assertThat(text).doesNotContain("secret");
    assertThat(log.tail("dash", "editor", 10)).isEmpty();
  }

  @Test
  void keepsTheLastLinesOfEachWorker() {
    AgentActivities chat =
        (AgentActivities)
            log.logging(
                QUEUE,
                (AgentActivities)
                    r -> new ChatResponse("ok", List.of(), TokenUsage.ZERO, null, List.of(), 1));
    for (int i = 0; i < WorkerLog.KEEP + 5; i++) {
      chat.chat(request("p"));
    }

    assertThat(log.tail("dash", "writer", 5).orElseThrow().lines()).hasSize(5);
    assertThat(log.tail("dash", "writer", 5000).orElseThrow().lines()).hasSize(WorkerLog.KEEP);
  }
}
