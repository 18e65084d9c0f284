package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Dynamic teams run with the mock model: the coordinator's delegations show up as steps. */
class DelegationRunTest {

  private static List<String> delegations(JsonNode run) {
    List<String> out = new ArrayList<>();
    for (JsonNode step : run.path("status").path("steps")) {
      if (step.hasNonNull("delegatedFrom")) {
        out.add(step.path("delegatedFrom").asText() + " -> " + step.path("name").asText());
      }
    }
    return out;
  }

  /** The customer-support team: the fixture here, the upstream recipe in the compat suite. */
  Path recipe() {
    return Cli.fixture("customer-support-team.yaml");
  }

  @Test
  void customerSupportDelegatesToEachSpecialist() throws IOException {
    Cli result =
        RunCommandTest.run(
            recipe().toString(), "My invoice shows a double charge for last month.", "-o", "json");

    assertThat(result.exitCode()).as(result.err()).isZero();
    JsonNode run = RunCommandTest.json(result);
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(delegations(run))
        .containsExactly(
            "coordinator -> billing", "coordinator -> technical", "coordinator -> escalation");
    assertThat(run.path("status").path("output").asText())
        .contains("- billing:", "- technical:", "- escalation:", "double charge");
    JsonNode technical = RunCommandTest.step(run, "technical");
    assertThat(technical.path("message").asText())
        .contains("MCP server knowledge-base", "unreachable");
    assertThat(technical.path("phase").asText()).isEqualTo("Succeeded");
  }

  @Test
  void noMcpLeavesTheServersOut() {
    Cli result = RunCommandTest.run(recipe().toString(), "Refund please", "--no-mcp");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("MCP servers left out (--no-mcp): knowledge-base");
    assertThat(result.out()).doesNotContain("unreachable");
  }

  @Test
  void researchTeamListsItsDelegationsInTheOutput() {
    Cli result =
        RunCommandTest.run(
            RunCommandTest.example("research-team.yaml"), "Kubernetes operators, briefly");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains("↳ researcher", "↳ writer", "- researcher:", "- writer:", "Succeeded");
  }
}
