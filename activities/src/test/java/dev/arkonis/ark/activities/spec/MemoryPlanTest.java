package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.SecretRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code memoryRef} on ArkAgents and inline roles becomes the agent's {@link MemorySpec}. */
class MemoryPlanTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private record Refs(Map<String, JsonNode> agentsByName, Map<String, JsonNode> memories)
      implements RunPlanner.References {
    @Override
    public Optional<JsonNode> agent(String name) {
      return Optional.ofNullable(agentsByName.get(name));
    }

    @Override
    public Optional<JsonNode> settings(String name) {
      return Optional.empty();
    }

    @Override
    public Optional<JsonNode> memory(String name) {
      return Optional.ofNullable(memories.get(name));
    }

    @Override
    public Optional<String> key(boolean secret, String name, String key) {
      return Optional.empty();
    }
  }

  private static JsonNode yaml(String text) throws Exception {
    return YAML.readTree(text);
  }

  @Test
  void aSharedArkAgentsMemoryIsScopedToThatAgentInEveryTeam() throws Exception {
    Refs refs =
        new Refs(
            Map.of("analyst", yaml("{model: gpt-4o, memoryRef: {name: notes}}")),
            Map.of(
                "notes",
                yaml("{backend: redis, redis: {secretRef: {name: redis}, maxEntries: 50}}")));
    JsonNode team = yaml("{roles: [{name: r, arkAgent: analyst}], pipeline: [{role: r}]}");

    MemorySpec memory =
        new RunPlanner(refs, n -> {}, true)
            .plan("ns", "t", team, "t-1", Map.of(), Map.of(), Map.of(), null, null)
            .agents()
            .get("r")
            .memory();

    assertThat(memory)
        .isEqualTo(
            new MemorySpec(
                "ns",
                "notes",
                "analyst",
                "redis",
                "",
                "",
                "",
                3600,
                50,
                new SecretRef("ns", "redis", "REDIS_URL")));
  }

  @Test
  void anInlineRolesVectorStoreMemory() throws Exception {
    Refs refs =
        new Refs(
            Map.of(),
            Map.of(
                "vectors",
                yaml(
                    "{backend: vector-store, vectorStore: {provider: pgvector, endpoint:"
                        + " 'postgres://ark@db:5432/ark', secretRef: {name: pg}, ttlSeconds:"
                        + " 60}}")));
    JsonNode team =
        yaml(
            "{roles: [{name: r, model: gpt-4o, memoryRef: {name: vectors}}], pipeline: [{role:"
                + " r}]}");

    MemorySpec memory =
        new RunPlanner(refs, n -> {}, true)
            .plan("ns", "t", team, "t-1", Map.of(), Map.of(), Map.of(), null, null)
            .agents()
            .get("r")
            .memory();

    assertThat(memory.scope()).isEqualTo("t-r");
    assertThat(memory.provider()).isEqualTo("pgvector");
    assertThat(memory.collection()).isEqualTo("agent-memories");
    assertThat(memory.ttlSeconds()).isEqualTo(60);
    assertThat(memory.secret()).isEqualTo(new SecretRef("ns", "pg", "VECTOR_STORE_API_KEY"));
  }

  @Test
  void aMissingMemoryIsANoticeForTheCliAndAnErrorForTheOperator() throws Exception {
    Refs refs = new Refs(Map.of(), Map.of());
    JsonNode team =
        yaml(
            "{roles: [{name: r, model: gpt-4o, memoryRef: {name: gone}}], pipeline: [{role:"
                + " r}]}");
    List<String> notices = new ArrayList<>();

    assertThat(
            new RunPlanner(refs, notices::add, true)
                .plan("ns", "t", team, "t-1", Map.of(), Map.of(), Map.of(), null, null)
                .agents()
                .get("r")
                .memory())
        .isNull();
    assertThat(notices)
        .containsExactly(
            "ArkTeam/t role r: memoryRef: ArkMemory \"gone\" not found; running without memory");
    assertThatThrownBy(
            () ->
                new RunPlanner(refs, n -> {}, true)
                    .requiringReferences()
                    .plan("ns", "t", team, "t-1", Map.of(), Map.of(), Map.of(), null, null))
        .isInstanceOf(SpecException.class)
        .hasMessage(
            "ArkTeam/t role r: memoryRef: ArkMemory \"gone\" not found; create it (or fix the"
                + " reference), then start the run again");
  }
}
