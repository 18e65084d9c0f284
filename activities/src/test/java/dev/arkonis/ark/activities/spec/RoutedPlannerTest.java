package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.RunPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A routed team's plan: the registry's candidates, its policy (allowCrossTeam, maxDepth), the
 * fallback and the router call.
 */
class RoutedPlannerTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode yaml(String text) {
    try {
      return YAML.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static final List<JsonNode> AGENTS =
      List.of(
          yaml(
              "{metadata: {name: writer}, spec: {model: m, provider: openai, capabilities: [{id:"
                  + " write, tags: [blog]}]}}"),
          yaml(
              "{metadata: {name: coder}, spec: {model: m, capabilities: [{id: code, description:"
                  + " Writes code}]}}"),
          yaml(
              "{metadata: {name: other-team-helper, labels: {arkonis.dev/team: other}}, spec:"
                  + " {model: m, capabilities: [{id: help}]}}"),
          yaml("{metadata: {name: general}, spec: {model: m, provider: openai}}"));

  private record Refs(JsonNode registry) implements RunPlanner.References {
    @Override
    public Optional<JsonNode> agent(String name) {
      return AGENTS.stream()
          .filter(a -> a.path("metadata").path("name").asText().equals(name))
          .map(a -> a.path("spec"))
          .findFirst();
    }

    @Override
    public Optional<JsonNode> settings(String name) {
      return Optional.empty();
    }

    @Override
    public Optional<String> key(boolean secret, String name, String key) {
      return Optional.empty();
    }

    @Override
    public Optional<JsonNode> registry(String name) {
      return Optional.ofNullable(registry);
    }

    @Override
    public List<JsonNode> agents() {
      return AGENTS;
    }
  }

  private static RunPlan plan(String registry, String team) {
    return new RunPlanner(new Refs(registry == null ? null : yaml(registry)), n -> {}, true)
        .plan(
            "ns",
            "desk",
            yaml(team),
            "desk-1",
            Map.of("task", "t"),
            Map.of(),
            Map.of(),
            null,
            null);
  }

  private static final String TEAM =
      "{routing: {registryRef: {name: reg}, model: cheap, fallback: general}}";

  @Test
  void candidatesAreTheIndexedAgentsAndTheRouterRunsOnTheFallbacksQueue() {
    RunPlan plan = plan("{spec: {}}", TEAM);

    RoutingPlan routing = plan.routing();
    assertThat(routing.candidates())
        .extracting(RoutingPlan.Candidate::agent)
        .containsExactly("coder", "writer");
    assertThat(routing.candidates().get(1).capabilities().get(0).tags()).containsExactly("blog");
    assertThat(plan.agents()).containsOnlyKeys("coder", "writer", "general");
    assertThat(plan.agents().get("writer").taskQueue()).isEqualTo("ark/ns/writer");
    assertThat(plan.agents().get("writer").canDelegate()).isEmpty();
    assertThat(plan.maxDelegationDepth()).isZero();
    assertThat(plan.steps()).isEmpty();
    assertThat(routing.router().model()).isEqualTo("cheap");
    assertThat(routing.router().provider()).isEqualTo("openai");
    assertThat(routing.router().taskQueue()).isEqualTo("ark/ns/general");
    assertThat(routing.fallback()).isEqualTo("general");
  }

  @Test
  void allowCrossTeamIndexesTeamManagedAgentsAndMaxDepthLetsCandidatesDelegate() {
    RunPlan plan =
        plan(
            "{spec: {policy: {allowCrossTeam: true, maxDepth: 5}}}",
            TEAM.replace("}}", "}, maxDelegationDepth: 2}"));

    assertThat(plan.routing().candidates())
        .extracting(RoutingPlan.Candidate::agent)
        .containsExactly("coder", "other-team-helper", "writer");
    assertThat(plan.maxDelegationDepth()).isEqualTo(2); // capped by the team's
    assertThat(plan.agents().get("coder").canDelegate())
        .containsExactly("other-team-helper", "writer");
  }

  @Test
  void aMissingRegistryOrFallbackIsALocatedError() {
    assertThatThrownBy(() -> plan(null, TEAM))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "ArkTeam/desk: spec.routing.registryRef: ArkRegistry \"reg\" does not exist in"
                + " namespace ns; create it (or add it to the file)");
    assertThatThrownBy(() -> plan("{spec: {}}", TEAM.replace("general", "nobody")))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "ArkTeam/desk: spec.routing.fallback: ArkAgent \"nobody\" does not exist in namespace"
                + " ns; create it (or add it to the file), or name another agent");
  }

  @Test
  void withoutRegistryRefEveryAgentOfTheNamespaceWithCapabilitiesIsACandidate() {
    RunPlan plan = plan(null, "{routing: {model: cheap}}");

    assertThat(plan.routing().candidates())
        .extracting(RoutingPlan.Candidate::agent)
        .containsExactly("coder", "writer");
    assertThat(plan.routing().fallback()).isNull();
    assertThat(plan.routing().router().taskQueue()).isEqualTo("ark/ns/coder");
  }
}
