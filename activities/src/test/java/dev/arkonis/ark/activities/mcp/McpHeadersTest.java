package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.workflows.api.McpServerSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpHeadersTest {
  @Test
  void variablesOfTheServerBecomeHeaders() {
    Map<String, String> env =
        Map.of(
            "MCP_KNOWLEDGE_BASE_HEADER_AUTHORIZATION", "Bearer s3cr3t ",
            "MCP_KNOWLEDGE_BASE_HEADER_X_API_KEY", "k-123",
            "MCP_OTHER_HEADER_AUTHORIZATION", "Bearer other",
            "MCP_KNOWLEDGE_BASE_HEADER_", "ignored",
            "OPENAI_API_KEY", "sk-x");

    Map<String, String> headers = McpHeaders.forServer("knowledge-base", env);

    assertThat(headers)
        .containsExactly(
            Map.entry("Authorization", "Bearer s3cr3t"), Map.entry("X-Api-Key", "k-123"));
    assertThat(McpHeaders.prefix("knowledge-base")).isEqualTo("MCP_KNOWLEDGE_BASE_HEADER_");
    assertThat(McpHeaders.prefix("kb.v2")).isEqualTo("MCP_KB_V2_HEADER_");
  }

  @Test
  void plainHeadersOfTheSpecComeFirstAndASecretOfTheSameNameWins() {
    McpServerSpec kb =
        new McpServerSpec(
            "kb",
            "http://kb:3101/mcp",
            "",
            null,
            "kb-headers",
            Map.of("X-Team", "support", "authorization", "Bearer plain"));

    Map<String, String> headers =
        McpHeaders.forServer(kb, Map.of("MCP_KB_HEADER_AUTHORIZATION", "Bearer from-secret"));

    assertThat(headers)
        .containsOnly(
            Map.entry("X-Team", "support"), Map.entry("authorization", "Bearer from-secret"));
  }

  @Test
  void noVariablesNoHeaders() {
    assertThat(McpHeaders.forServer("kb", Map.of())).isEmpty();
    assertThat(McpHeaders.forServer("kb", null)).isEmpty();
  }
}
