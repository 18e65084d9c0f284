package dev.arkonis.ark.activities.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.activities.mcp.McpClientPool;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the chat and tool activities record: tokens with their labels, latency by outcome. */
class ActivityMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ArkMetrics metrics = new ArkMetrics(registry);

  private static AgentSpec agent() {
    return new AgentSpec(
        "researcher",
        "blog-researcher",
        "ark/team-ns/blog-researcher",
        "gpt-4o",
        "mock",
        "You research.",
        0,
        60,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  private static ChatRequest request(String team) {
    return new ChatRequest(
        "task", "research", agent(), List.of(ChatMessage.user("go")), null, null, team);
  }

  private AgentActivitiesImpl chat(ScriptedReply... replies) {
    return new AgentActivitiesImpl(
        ChatModels.of("openai", MockChatModel.scripted(List.of(replies))), () -> 1, null, metrics);
  }

  private double tokens(String direction) {
    Counter counter =
        registry
            .find(ArkMetrics.TOKENS)
            .tags(
                "namespace", "team-ns",
                "team", "blog",
                "agent", "blog-researcher",
                "model", "gpt-4o",
                "direction", direction)
            .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aChatCallCountsTheProvidersTokensUnderTheRunsTeam() {
    AgentActivitiesImpl chat =
        chat(
            ScriptedReply.text("one").withUsage(120, 30),
            ScriptedReply.text("two").withUsage(7, 3));

    chat.chat(request("blog"));
    chat.chat(request("blog"));

    assertThat(tokens("input")).isEqualTo(127);
    assertThat(tokens("output")).isEqualTo(33);
    Timer calls =
        registry
            .find(ArkMetrics.LLM_CALL)
            .tags("provider", "openai", "model", "gpt-4o", "outcome", ArkMetrics.SUCCESS)
            .timer();
    assertThat(calls).isNotNull();
    assertThat(calls.count()).isEqualTo(2);
  }

  @Test
  void aFailedCallIsTimedUnderItsFailureTypeAndCountsNoTokens() {
    AgentActivitiesImpl chat = chat(ScriptedReply.error("rate-limit", "slow down"));

    assertThatThrownBy(() -> chat.chat(request("blog")))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            failure -> {
              Timer calls =
                  registry
                      .find(ArkMetrics.LLM_CALL)
                      .tags("provider", "openai", "outcome", failure.getType())
                      .timer();
              assertThat(calls).isNotNull();
              assertThat(calls.count()).isEqualTo(1);
            });
    assertThat(registry.find(ArkMetrics.LLM_CALL).tag("outcome", ArkMetrics.SUCCESS).timer())
        .isNull();
    assertThat(tokens("input") + tokens("output")).isZero();
  }

  @Test
  void aToolNameTheModelInventedIsOneLabelValue() {
    try (ToolActivitiesImpl tools = new ToolActivitiesImpl(new McpClientPool(Map.of()), metrics)) {
      for (String invented : List.of("made_up_1", "made_up_2", "made_up_3")) {
        ToolActivities.ToolResult result =
            tools.callTool(new ToolActivities.ToolCallRequest(agent(), invented, "{}"));
        assertThat(result.error()).isTrue();
      }
    }

    assertThat(registry.find(ArkMetrics.TOOL_CALL).timers()).hasSize(1);
    Timer unknown =
        registry
            .find(ArkMetrics.TOOL_CALL)
            .tags("tool", ArkMetrics.UNKNOWN_TOOL, "outcome", "error")
            .timer();
    assertThat(unknown).isNotNull();
    assertThat(unknown.count()).isEqualTo(3);
  }

  @Test
  void theNamespaceComesFromTheAgentsTaskQueue() {
    assertThat(ArkMetrics.namespaceOf("ark/prod/writer")).isEqualTo("prod");
    assertThat(ArkMetrics.namespaceOf("something-else")).isEmpty();
    assertThat(ArkMetrics.namespaceOf(null)).isEmpty();
  }
}
