package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.StepSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small run plans for workflow tests. */
final class Plans {
  static final String NS = "test";

  private Plans() {}

  static AgentSpec agent(String role, int maxTokensPerCall) {
    return new AgentSpec(
        role,
        "team-" + role,
        RunPlan.taskQueue(NS, "team-" + role),
        "mock-model",
        "mock",
        "You are " + role,
        maxTokensPerCall,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  static StepSpec step(String name, String... dependsOn) {
    return new StepSpec(
        name,
        name,
        List.of(dependsOn),
        Map.of("prompt", "do " + name),
        null,
        null,
        null,
        null,
        0,
        -1);
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    final List<StepSpec> steps = new ArrayList<>();
    Map<String, Object> input = Map.of("topic", "agents");
    long timeout;
    long maxTokens;
    int maxTokensPerCall;
    String output;
    Map<String, RunPlan.PriorStep> prior = Map.of();

    Builder step(StepSpec step) {
      steps.add(step);
      return this;
    }

    Builder timeout(long seconds) {
      timeout = seconds;
      return this;
    }

    Builder maxTokens(long tokens, int perCall) {
      maxTokens = tokens;
      maxTokensPerCall = perCall;
      return this;
    }

    Builder output(String template) {
      output = template;
      return this;
    }

    Builder prior(Map<String, RunPlan.PriorStep> prior) {
      this.prior = prior;
      return this;
    }

    RunPlan build() {
      Map<String, AgentSpec> agents = new LinkedHashMap<>();
      for (StepSpec step : steps) {
        agents.putIfAbsent(step.role(), agent(step.role(), maxTokensPerCall));
      }
      return new RunPlan(
          NS, "run-1", "team", input, Map.of(), agents, steps, null, output, timeout, maxTokens, 3,
          prior);
    }
  }
}
