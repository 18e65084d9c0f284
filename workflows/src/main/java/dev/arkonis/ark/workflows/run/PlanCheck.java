package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.plan.StepGraph;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks that a plan can run at all. The validator rejects such teams before a run exists; this is
 * the workflow's own guard, so a plan that slipped through (an older operator, a hand-made plan)
 * fails its run with a clear message instead of failing workflow tasks forever.
 */
final class PlanCheck {
  private PlanCheck() {}

  /** Why {@code plan} cannot run, or null when it can. */
  static String problem(RunPlan plan) {
    Map<String, Object> agents = new LinkedHashMap<>(plan.agents());
    agents.putAll(plan.teams());
    List<StepSpec> steps = plan.steps() == null ? List.of() : plan.steps();
    if (plan.routing() != null) {
      return routingProblem(plan, agents);
    }
    if (steps.isEmpty()) {
      if (plan.entry() == null || plan.entry().isBlank()) {
        return "team "
            + plan.team()
            + " has no pipeline steps and no entry role: give spec.pipeline at least one step,"
            + " or set spec.entry";
      }
      if (!agents.containsKey(plan.entry())) {
        return "spec.entry: '" + plan.entry() + "' is not a role of team " + plan.team();
      }
      return null;
    }
    Map<String, List<String>> deps = new LinkedHashMap<>();
    for (int i = 0; i < steps.size(); i++) {
      StepSpec step = steps.get(i);
      String where = "spec.pipeline[" + i + "]";
      if (step == null || step.name() == null || step.name().isBlank()) {
        return where + " has no name";
      }
      if (deps.containsKey(step.name())) {
        return where + ": step name '" + step.name() + "' is used twice; step names must differ";
      }
      if (step.role() == null || !agents.containsKey(step.role())) {
        return where
            + " ("
            + step.name()
            + "): role '"
            + step.role()
            + "' is not a role of team "
            + plan.team();
      }
      deps.put(step.name(), step.dependsOn());
    }
    for (Map.Entry<String, List<String>> e : deps.entrySet()) {
      for (String dep : e.getValue()) {
        if (!deps.containsKey(dep)) {
          return "step " + e.getKey() + ": dependsOn names unknown step '" + dep + "'";
        }
      }
    }
    List<String> cycle = new StepGraph(deps).findCycle();
    if (!cycle.isEmpty()) {
      return "the pipeline has a dependency cycle: " + String.join(" → ", cycle);
    }
    return null;
  }

  private static String routingProblem(RunPlan plan, Map<String, ?> agents) {
    RoutingPlan routing = plan.routing();
    if (routing.router() == null) {
      return "spec.routing of team " + plan.team() + " has no router model";
    }
    if (routing.candidates().isEmpty() && routing.fallback() == null) {
      return "routed team "
          + plan.team()
          + " has no candidate: the registry indexed no ArkAgent with capabilities and"
          + " spec.routing.fallback is not set; add capabilities to ArkAgents or set a fallback";
    }
    for (RoutingPlan.Candidate candidate : routing.candidates()) {
      if (!agents.containsKey(candidate.agent())) {
        return "routed team " + plan.team() + ": candidate " + candidate.agent() + " has no agent";
      }
    }
    if (routing.fallback() != null && !agents.containsKey(routing.fallback())) {
      return "spec.routing.fallback: '" + routing.fallback() + "' has no agent in the plan";
    }
    return null;
  }
}
