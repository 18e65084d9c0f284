package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.McpServerSpec;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Upstream shapes in a team's roles: optional prompt references, plain MCP server headers. */
class RunPlannerUpstreamShapesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static final String TEAM =
      """
      roles:
        - name: optional-map
          model: gpt-4o
          systemPrompt: The inline prompt.
          systemPromptRef: {configMapKeyRef: {name: prompts, key: missing, optional: true}}
        - name: optional-secret
          model: gpt-4o
          systemPromptRef: {secretKeyRef: {name: no-such-secret, key: prompt, optional: true}}
        - name: present
          model: gpt-4o
          systemPromptRef: {configMapKeyRef: {name: prompts, key: triage, optional: true}}
        - name: tools
          model: gpt-4o
          mcpServers:
            - name: orders
              url: http://orders:8080
              transport: http
              headers: {X-Team: support, X-Region: eu}
      pipeline:
        - role: optional-map
      """;

  private static final String REQUIRED =
      """
      roles:
        - name: strict
          model: gpt-4o
          systemPromptRef: {secretKeyRef: {name: no-such-secret, key: prompt}}
      pipeline:
        - role: strict
      """;

  @Test
  void aMissingOptionalConfigMapKeyLeavesTheInlinePrompt() throws Exception {
    assertThat(plan(TEAM).get("optional-map").systemPrompt()).isEqualTo("The inline prompt.");
    assertThat(plan(TEAM).get("present").systemPrompt()).isEqualTo("Triage the ticket.");
  }

  @Test
  void aMissingOptionalSecretMeansNoPrompt() throws Exception {
    AgentSpec agent = plan(TEAM).get("optional-secret");

    assertThat(agent.systemPrompt()).isEmpty();
    assertThat(agent.systemPromptSecret()).isNull();
  }

  @Test
  void aMissingRequiredReferenceIsStillAnError() {
    SpecException e = catchThrowableOfType(SpecException.class, () -> plan(REQUIRED));

    assertThat(e)
        .hasMessage(
            "ArkTeam/blog role strict: systemPromptRef: Secret no-such-secret key prompt not"
                + " found; create it (or fix the reference), then start the run again");
  }

  @Test
  void plainHeadersAndTheHttpTransportReachTheServerSpec() throws Exception {
    McpServerSpec orders = plan(TEAM).get("tools").mcpServers().get(0);

    assertThat(orders.transport()).isEqualTo("http");
    assertThat(orders.headers())
        .containsExactlyInAnyOrderEntriesOf(Map.of("X-Team", "support", "X-Region", "eu"));
    assertThat(orders.headersSecret()).isNull();
  }

  private static Map<String, AgentSpec> plan(String team) throws Exception {
    RunPlanner.References refs =
        new RunPlanner.References() {
          @Override
          public Optional<JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<JsonNode> settings(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return !secret && name.equals("prompts") && key.equals("triage")
                ? Optional.of("Triage the ticket.")
                : Optional.empty();
          }
        };
    return new RunPlanner(refs, notice -> {}, true)
        .requiringReferences()
        .plan("ns", "blog", YAML.readTree(team), "blog-1", Map.of(), Map.of(), Map.of(), null, null)
        .agents();
  }
}
