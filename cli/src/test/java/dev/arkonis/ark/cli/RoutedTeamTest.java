package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.example;
import static dev.arkonis.ark.cli.RunCommandTest.json;
import static dev.arkonis.ark.cli.RunCommandTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code ark run examples/routed-team.yaml TASK} with the mock router: each task reaches the agent
 * whose capabilities fit it, the {@code route} step records the decision, and the task step runs on
 * that agent (its system prompt answers).
 */
class RoutedTeamTest {
  /** Five tasks for the five specialists, and one that only the fallback takes. */
  static Stream<Arguments> tasks() {
    return Stream.of(
        Arguments.of(
            "I was charged twice on my last invoice, please refund one payment",
            "billing-agent",
            "billing.invoices"),
        Arguments.of(
            "The app shows an error and crashes right after login",
            "tech-support",
            "tech.troubleshooting"),
        Arguments.of(
            "Can you send me a quote for the enterprise plan with a discount?",
            "sales-agent",
            "sales.quotes"),
        Arguments.of(
            "Please check this contract for GDPR and privacy issues",
            "legal-agent",
            "legal.review"),
        Arguments.of(
            "Draft a blog post for our newsletter about the new release",
            "content-writer",
            "content.writing"),
        Arguments.of("What's the weather like tomorrow?", "generalist", null));
  }

  /** The arguments of one run; a variant (e.g. scripted replies per role) adds its options here. */
  List<String> runArgs(String task) {
    return new ArrayList<>(List.of(example("routed-team.yaml"), task, "-o", "json"));
  }

  /** What the chosen agent's task step answers. */
  String expectedOutputStart(String agent) {
    return "[mock:llama3.2 " + agent + "]";
  }

  @ParameterizedTest
  @MethodSource("tasks")
  void eachTaskRunsOnTheAgentWhoseCapabilityFits(String task, String agent, String capability)
      throws IOException {
    Cli result = RunCommandTest.run(runArgs(task).toArray(String[]::new));

    assertThat(result.exitCode()).as("%s%s", result.err(), result.out()).isZero();
    JsonNode run = json(result);
    assertThat(run.path("status").path("phase").asText()).isEqualTo("Succeeded");
    JsonNode route = step(run, "route");
    assertThat(route.path("phase").asText()).isEqualTo("Succeeded");
    assertThat(route.path("resolvedAgent").asText()).isEqualTo(agent);
    if (capability == null) {
      assertThat(route.has("selectedCapability")).isFalse();
      assertThat(route.path("routingReason").asText())
          .contains("no matching capability")
          .endsWith("fallback generalist");
    } else {
      assertThat(route.path("selectedCapability").asText()).isEqualTo(capability);
      assertThat(route.path("routingReason").asText()).startsWith("mock router: the task matches");
    }
    assertThat(route.path("tokenUsage").path("totalTokens").asLong()).isPositive();
    JsonNode taskStep = step(run, "task");
    assertThat(taskStep.path("role").asText()).isEqualTo(agent);
    assertThat(taskStep.path("output").asText()).startsWith(expectedOutputStart(agent));
    assertThat(run.path("status").path("steps")).hasSize(2);
  }

  @Test
  void theStepTableShowsTheChosenAgent() {
    Cli result =
        RunCommandTest.run(example("routed-team.yaml"), "Please refund my last invoice payment");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .containsPattern("(?m)^route +router → billing-agent +Succeeded")
        .containsPattern("(?m)^task +billing-agent +Succeeded");
  }

  @Test
  void aRegistryThatDoesNotExistIsAClearOneLineError(@TempDir Path dir) throws IOException {
    String team =
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: routed
        spec:
          routing:
            registryRef:
              name: nowhere
            model: llama3.2
            fallback: generalist
        """;
    Path file = Files.writeString(dir.resolve("routed.yaml"), team);

    Cli result = RunCommandTest.run(file.toString(), "some task");

    RunCommandTest.assertOneLineUserError(
        result,
        "ArkTeam/routed: spec.routing.registryRef: ArkRegistry \"nowhere\" does not exist in"
            + " namespace default; create it (or add it to the file)");
  }
}
