package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.RunPlan;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Roles that run another team ({@code roles[].arkTeam}): the child team's part of a plan. */
final class ChildTeams {
  private ChildTeams() {}

  /**
   * The child team of a role with {@code arkTeam}: its plan (defaults as input), after checking the
   * chain of teams below (exists, no cycle) and that every step of the role gives the child team
   * the inputs it needs and only those.
   */
  static RunPlan.ChildTeam of(
      RunPlanner planner,
      RunPlanner.References refs,
      String namespace,
      String team,
      JsonNode teamSpec,
      JsonNode role) {
    TeamChain.check(namespace, team, teamSpec, refs::team)
        .ifPresent(
            p -> {
              throw new SpecException(p.message());
            });
    String roleName = role.path("name").asText();
    String child = role.path("arkTeam").asText();
    JsonNode childSpec = refs.team(child).orElseThrow();
    List<String> inputs = InputResolver.declared(childSpec);
    JsonNode pipeline = teamSpec.path("pipeline");
    for (int i = 0; i < pipeline.size(); i++) {
      JsonNode step = pipeline.get(i);
      if (roleName.equals(step.path("role").asText())) {
        List<String> given = new ArrayList<>();
        step.path("inputs").fieldNames().forEachRemaining(given::add);
        checkChildInputs(
            team, "step \"" + TeamRules.stepName(step) + "\"", roleName, child, childSpec, given);
      }
    }
    if (roleName.equals(teamSpec.path("entry").asText()) && pipeline.isEmpty()) {
      checkChildInputs(team, "entry", roleName, child, childSpec, List.of());
    }
    Map<String, Object> defaults = new LinkedHashMap<>();
    for (JsonNode input : childSpec.path("inputs")) {
      if (input.has("default")) {
        defaults.put(input.path("name").asText(), input.path("default").asText());
      }
    }
    RunPlan plan =
        planner.plan(namespace, child, childSpec, null, defaults, Map.of(), Map.of(), null, null);
    return new RunPlan.ChildTeam(child, plan, inputs);
  }

  /**
   * A step's inputs for the child team: each names an input the child declares, except {@code
   * prompt} (the default task when there are none), which fills the child's only input; every
   * required child input without a default is given.
   */
  private static void checkChildInputs(
      String team,
      String where,
      String role,
      String child,
      JsonNode childSpec,
      List<String> stepInputs) {
    List<String> declared = InputResolver.declared(childSpec);
    List<String> given = stepInputs.isEmpty() ? List.of("prompt") : stepInputs;
    String at =
        "ArkTeam/" + team + ": " + where + " (role \"" + role + "\" runs ArkTeam " + child + ")";
    Set<String> covered = new HashSet<>();
    for (String key : given) {
      if (declared.contains(key)) {
        covered.add(key);
      } else if (key.equals("prompt") && declared.size() <= 1) {
        covered.addAll(declared);
      } else {
        throw new SpecException(
            at
                + ": input \""
                + key
                + "\" is not an input of ArkTeam "
                + child
                + "; its inputs are: "
                + String.join(", ", declared)
                + " (give the step inputs of these names)");
      }
    }
    for (JsonNode input : childSpec.path("inputs")) {
      String name = input.path("name").asText();
      if (input.path("required").asBoolean(false)
          && !input.has("default")
          && !covered.contains(name)) {
        throw new SpecException(
            at
                + ": ArkTeam "
                + child
                + " needs input \""
                + name
                + "\"; add it to the step's inputs");
      }
    }
  }
}
