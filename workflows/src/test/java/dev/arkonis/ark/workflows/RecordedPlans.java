package dev.arkonis.ark.workflows;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import java.util.List;
import java.util.Map;

/** The run plans {@link DevServerHistoryRecorder} records its TeamRun histories with. */
final class RecordedPlans {
  /** Namespace of the recorded runs and agents. */
  static final String NS = "hist";

  private static final String ORCHESTRATOR = TeamRunWorkflow.TASK_QUEUE;

  private RecordedPlans() {}

  static RunPlan plan(
      String name, Map<String, AgentSpec> agents, List<StepSpec> steps, String entry) {
    return new RunPlan(
        NS,
        name,
        "blog",
        Map.of("topic", "otters"),
        Map.of(),
        agents,
        steps,
        entry,
        steps.size() == 2 ? "{{ .steps.write.output }}" : null,
        600,
        100_000,
        2,
        Map.of(),
        ORCHESTRATOR,
        "alerts");
  }

  static StepSpec step(String name, String role, List<String> deps, String prompt) {
    return new StepSpec(name, role, deps, Map.of("prompt", prompt), null, null, null, null, 0, -1);
  }

  static AgentSpec agent(String role, List<String> canDelegate, boolean tools) {
    return new AgentSpec(
        role,
        role,
        RunPlan.taskQueue(NS, role),
        "mock-model",
        "mock",
        "You are the " + role,
        0,
        30,
        null,
        false,
        canDelegate,
        List.of(),
        tools
            ? List.of(
                new HttpToolSpec(
                    "lookup", "looks a word up", "http://127.0.0.1:9/lookup", "POST", null, 5))
            : List.of());
  }
}
