package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.api.AgentSpec;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an ArkSettings referenced by a role's {@code configRef} does to the role's agent. */
class RunPlannerSettingsTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final String TEAM =
      """
      roles:
        - name: writer
          model: gpt-4o
          systemPrompt: Write the post.
          configRef: {name: house-style}
        - name: capped
          model: gpt-4o
          configRef: {name: house-style}
          limits: {maxTokensPerCall: 50}
        - name: searcher
          model: gpt-4o
          systemPrompt: Find sources.
          mcpServers:
            - {name: kb, url: "http://kb:3101/mcp", guidance: Search before you answer.}
      pipeline:
        - role: writer
      """;

  @Test
  void structuredJsonAsksForJsonAndSaysSoInThePrompt() throws Exception {
    AgentSpec writer =
        agent(
            """
            temperature: "0.3"
            outputFormat: structured-json
            maxTokensPerCall: 400
            promptFragments: {persona: You are an editor., outputRules: Cite sources.}
            """,
            "writer");

    assertThat(writer.systemPrompt())
        .isEqualTo(
            "You are an editor.\n\nWrite the post.\n\nCite sources.\n\nOutput format:"
                + " structured-json. Answer with one JSON value and nothing else.");
    assertThat(writer.jsonMode()).isTrue();
    assertThat(writer.temperature()).isEqualTo(0.3);
    assertThat(writer.maxTokensPerCall()).isEqualTo(400);
  }

  @Test
  void anyOtherFormatGoesIntoThePromptOnly() throws Exception {
    AgentSpec writer = agent("outputFormat: markdown", "writer");

    assertThat(writer.systemPrompt()).isEqualTo("Write the post.\n\nOutput format: markdown.");
    assertThat(writer.jsonMode()).isFalse();
    assertThat(writer.temperature()).isNull();
  }

  @Test
  void theRolesOwnLimitWinsOverTheSettings() throws Exception {
    assertThat(agent("maxTokensPerCall: 400", "capped").maxTokensPerCall()).isEqualTo(50);
    assertThat(agent("maxTokensPerCall: 400", "capped").systemPrompt()).isEmpty();
  }

  @Test
  void mcpServerGuidanceEndsTheSystemPrompt() throws Exception {
    AgentSpec searcher = agent("{}", "searcher");

    assertThat(searcher.systemPrompt())
        .isEqualTo(
            "Find sources.\n\nTools named kb__* come from the MCP server \"kb\". Search before you"
                + " answer.");
    assertThat(searcher.mcpServers())
        .singleElement()
        .satisfies(s -> assertThat(s.url()).isEqualTo("http://kb:3101/mcp"));
  }

  private static AgentSpec agent(String settings, String role) throws Exception {
    JsonNode settingsSpec = YAML.readTree(settings);
    RunPlanner.References refs =
        new RunPlanner.References() {
          @Override
          public Optional<JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<JsonNode> settings(String name) {
            return name.equals("house-style") ? Optional.of(settingsSpec) : Optional.empty();
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return Optional.empty();
          }
        };
    return new RunPlanner(refs, notice -> {}, true)
        .requiringReferences()
        .plan("ns", "blog", YAML.readTree(TEAM), "blog-1", Map.of(), Map.of(), Map.of(), null, null)
        .agents()
        .get(role);
  }
}
