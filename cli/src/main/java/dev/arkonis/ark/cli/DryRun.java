package dev.arkonis.ark.cli;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.StepSpec;
import java.io.PrintWriter;

/** {@code ark run --dry-run}: the plan the workflow would execute. */
final class DryRun {
  private DryRun() {}

  static void print(PrintWriter out, RunPlan plan) {
    out.println("Team " + plan.team() + " (namespace " + plan.namespace() + ")");
    out.println(
        "Run "
            + plan.runName()
            + " → workflow "
            + RunPlan.workflowId(plan.namespace(), plan.runName()));
    out.println("Input: " + plan.input());
    out.println("Agents:");
    for (AgentSpec agent : plan.agents().values()) {
      out.println(
          "  "
              + agent.role()
              + ": model "
              + agent.model()
              + " on task queue "
              + agent.taskQueue()
              + (agent.canDelegate().isEmpty() ? "" : ", may delegate to " + agent.canDelegate()));
    }
    plan.teams()
        .forEach(
            (role, child) ->
                out.println(
                    "  "
                        + role
                        + ": runs ArkTeam "
                        + child.team()
                        + " as a child run (agents: "
                        + String.join(
                            ", ",
                            child.plan().allAgents().values().stream()
                                .map(a -> a.role() + " on " + a.taskQueue())
                                .toList())
                        + ")"));
    if (plan.steps().isEmpty()) {
      out.println("Dynamic mode: the task goes to role " + plan.entry());
    } else {
      out.println("Pipeline:");
      for (StepSpec step : plan.steps()) {
        out.println(
            "  "
                + step.name()
                + " (role "
                + step.role()
                + ")"
                + (step.dependsOn().isEmpty()
                    ? ""
                    : " after " + String.join(", ", step.dependsOn())));
      }
    }
    if (plan.timeoutSeconds() > 0) {
      out.println("Timeout: " + plan.timeoutSeconds() + "s");
    }
    if (plan.maxTokens() > 0) {
      out.println("Token budget: " + plan.maxTokens());
    }
    out.flush();
  }
}
