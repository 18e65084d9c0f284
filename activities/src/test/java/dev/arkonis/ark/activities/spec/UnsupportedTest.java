package dev.arkonis.ark.activities.spec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * An ArkAgent that uses a field not supported yet does not serve a team's role: the run is not
 * planned (the operator fails the ArkRun with this message) instead of ignoring the field.
 */
class UnsupportedTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void aSupportedArkAgentIsPlanned() throws Exception {
    JsonNode agent = YAML.readTree("{model: gpt-4o}");
    JsonNode team = YAML.readTree("{roles: [{name: r, arkAgent: pool}], pipeline: [{role: r}]}");

    assertThat(
            new RunPlanner(new OneAgent(agent), notice -> {}, true)
                .plan("ns", "t", team, "t-1", Map.of(), Map.of(), Map.of(), null, null)
                .agents()
                .get("r")
                .taskQueue())
        .isEqualTo("ark/ns/pool");
  }

  private record OneAgent(JsonNode agent) implements RunPlanner.References {
    @Override
    public Optional<JsonNode> agent(String name) {
      return Optional.of(agent);
    }

    @Override
    public Optional<JsonNode> settings(String name) {
      return Optional.empty();
    }

    @Override
    public Optional<String> key(boolean secret, String name, String key) {
      return Optional.empty();
    }
  }
}
