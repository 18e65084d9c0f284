package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Printable;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.plan.StepGraph;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** ArkTeam rules beyond the schema: roles, delegation, the pipeline DAG and its templates. */
final class TeamRules {
  private final Manifest manifest;
  private final List<Problem> problems;
  private final Set<String> teamRoles = new HashSet<>();

  TeamRules(Manifest manifest, List<Problem> problems) {
    this.manifest = manifest;
    this.problems = problems;
  }

  /** Role fields of an agent, which a role with {@code arkTeam} does not take. */
  static final List<String> AGENT_ROLE_FIELDS =
      List.of(
          "provider",
          "systemPrompt",
          "systemPromptRef",
          "canDelegate",
          "replicas",
          "limits",
          "mcpServers",
          "tools",
          "env",
          "envFrom",
          "resources",
          "configRef",
          "memoryRef",
          "livenessProbe");

  /** Step fields of an agent step, which a step of a role with {@code arkTeam} does not take. */
  static final List<String> AGENT_STEP_FIELDS =
      List.of("outputSchema", "loop", "validate", "retries");

  void check(JsonNode spec) {
    checkNameLength();
    Set<String> roles = checkRoles(spec.path("roles"));
    if (!spec.has("pipeline") && !spec.has("entry") && !spec.has("routing")) {
      problems.add(
          manifest.problem(
              "spec",
              "a team needs spec.pipeline (pipeline mode), spec.entry (dynamic mode) or"
                  + " spec.routing (routed mode); add one"));
    }
    if (spec.has("routing") && (spec.has("roles") || spec.has("pipeline") || spec.has("entry"))) {
      problems.add(
          manifest.problem(
              "spec.routing",
              "routed mode takes no roles, pipeline or entry (the router picks an ArkAgent of the"
                  + " registry); remove them, or remove routing"));
    }
    if (spec.has("entry") && !roles.contains(spec.path("entry").asText())) {
      problems.add(
          manifest.problem(
              "spec.entry", Names.unknown("role", spec.path("entry").asText(), roles)));
    }
    if (spec.has("pipeline") && spec.path("pipeline").isEmpty()) {
      problems.add(
          manifest.problem(
              "spec.pipeline",
              "pipeline has no steps; add at least one step, or remove pipeline and set entry"
                  + " (dynamic mode)"));
    }
    Set<String> inputs = checkInputs(spec.path("inputs"));
    Set<String> declaredInputs = spec.has("inputs") ? inputs : null;
    Map<String, List<String>> dependsOn = checkPipeline(spec.path("pipeline"), roles);
    StepGraph graph = new StepGraph(dependsOn);
    List<String> cycle = graph.findCycle();
    if (!cycle.isEmpty()) {
      problems.add(
          manifest.problem(
              "spec.pipeline",
              "dependency cycle: "
                  + String.join(" → ", cycle)
                  + "; remove one of these dependsOn entries"));
      return;
    }
    checkStepTemplates(spec.path("pipeline"), graph, declaredInputs);
    Set<List<String>> refs =
        Templates.checkSyntax(manifest, "spec.output", spec.path("output"), problems);
    Templates.checkReferences(
        manifest,
        "spec.output",
        refs,
        new Templates.Scope(
            Set.of("input", "steps", "trigger"), declaredInputs, graph.steps(), null),
        problems);
  }

  /** The team name is a label value on its agents and runs. */
  private void checkNameLength() {
    if (manifest.name().length() > Names.MAX_LABEL) {
      problems.add(
          manifest.problem(
              "metadata.name",
              "team name \""
                  + manifest.name()
                  + "\" is longer than 63 characters; shorten it (it is a label value on the"
                  + " team's agents and runs)"));
    }
  }

  private Set<String> checkRoles(JsonNode roles) {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < roles.size(); i++) {
      String name = roles.get(i).path("name").asText();
      String at = FieldPath.child(FieldPath.index("spec.roles", i), "name");
      if (!Names.isDnsLabel(name)) {
        problems.add(
            manifest.problem(
                at,
                "role name \""
                    + name
                    + "\" is not a DNS-1123 label; use lowercase letters, digits and '-',"
                    + " starting and ending with a letter or digit"
                    + name.codePoints()
                        .filter(c -> !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-'))
                        .mapToObj(c -> " (it contains " + Printable.describe(c) + ")")
                        .findFirst()
                        .orElse("")));
      } else if (roles.get(i).has("model")
          && manifest.name().length() + 1 + name.length() > Names.MAX_LABEL) {
        problems.add(
            manifest.problem(
                at,
                "agent name \""
                    + manifest.name()
                    + "-"
                    + name
                    + "\" is longer than 63 characters; shorten the team or role name"));
      }
      if (!names.add(name)) {
        problems.add(
            manifest.problem(
                FieldPath.child(FieldPath.index("spec.roles", i), "name"),
                "duplicate role \"" + name + "\"; role names must be unique"));
      }
    }
    for (int i = 0; i < roles.size(); i++) {
      JsonNode role = roles.get(i);
      if (role.has("arkTeam")) {
        teamRoles.add(role.path("name").asText());
      }
    }
    for (int i = 0; i < roles.size(); i++) {
      JsonNode role = roles.get(i);
      String path = FieldPath.index("spec.roles", i);
      int kinds =
          (role.has("model") ? 1 : 0)
              + (role.has("arkAgent") ? 1 : 0)
              + (role.has("arkTeam") ? 1 : 0);
      if (kinds != 1) {
        problems.add(
            manifest.problem(
                path,
                "role \""
                    + role.path("name").asText()
                    + "\" needs exactly one of model (the operator creates its agent), arkAgent"
                    + " (an existing ArkAgent) or arkTeam (another ArkTeam, run as a child run)"));
      }
      if (role.has("arkTeam")) {
        checkTeamRole(role, path);
      }
      JsonNode canDelegate = role.path("canDelegate");
      for (int j = 0; j < canDelegate.size(); j++) {
        String target = canDelegate.get(j).asText();
        String at = FieldPath.index(FieldPath.child(path, "canDelegate"), j);
        if (!names.contains(target)) {
          String where = " in canDelegate of role \"" + role.path("name").asText() + "\"";
          problems.add(manifest.problem(at, Names.unknown("role", target, where, names)));
        } else if (target.equals(role.path("name").asText())) {
          problems.add(manifest.problem(at, "a role cannot delegate to itself; remove it"));
        } else if (teamRoles.contains(target)) {
          problems.add(
              manifest.problem(
                  at,
                  "role \""
                      + target
                      + "\" runs an ArkTeam; delegation goes to agent roles only: make it a"
                      + " pipeline step instead"));
        }
      }
      AgentRules.check(manifest, role, path, problems);
    }
    return names;
  }

  /** A role that runs another team: only {@code name} and {@code arkTeam}, not its own team. */
  private void checkTeamRole(JsonNode role, String path) {
    String name = role.path("name").asText();
    String team = role.path("arkTeam").asText();
    for (String field : AGENT_ROLE_FIELDS) {
      if (role.has(field)) {
        problems.add(
            manifest.problem(
                FieldPath.child(path, field),
                "role \""
                    + name
                    + "\" runs ArkTeam \""
                    + team
                    + "\" and takes no agent fields (the child team's roles have their own);"
                    + " keep only name and arkTeam"));
      }
    }
    if (team.equals(manifest.name())) {
      problems.add(
          manifest.problem(
              FieldPath.child(path, "arkTeam"),
              "role \"" + name + "\" runs its own team; a team cannot run itself"));
    }
  }

  private Set<String> checkInputs(JsonNode inputs) {
    Set<String> names = new LinkedHashSet<>();
    for (int i = 0; i < inputs.size(); i++) {
      String name = inputs.get(i).path("name").asText();
      if (!names.add(name)) {
        problems.add(
            manifest.problem(
                FieldPath.child(FieldPath.index("spec.inputs", i), "name"),
                "duplicate input \"" + name + "\"; input names must be unique"));
      }
    }
    return names;
  }

  private Map<String, List<String>> checkPipeline(JsonNode pipeline, Set<String> roles) {
    Map<String, List<String>> dependsOn = new LinkedHashMap<>();
    for (int i = 0; i < pipeline.size(); i++) {
      JsonNode step = pipeline.get(i);
      String path = FieldPath.index("spec.pipeline", i);
      String name = stepName(step);
      if (dependsOn.containsKey(name)) {
        problems.add(
            manifest.problem(
                path,
                "duplicate step \""
                    + name
                    + "\"; give one of them a distinct name (the name defaults to the role)"));
      }
      if (!roles.contains(step.path("role").asText())) {
        problems.add(
            manifest.problem(
                FieldPath.child(path, "role"),
                Names.unknown("role", step.path("role").asText(), roles)));
      }
      if (teamRoles.contains(step.path("role").asText())) {
        for (String field : AGENT_STEP_FIELDS) {
          if (step.has(field)) {
            problems.add(
                manifest.problem(
                    FieldPath.child(path, field),
                    "step \""
                        + name
                        + "\" runs role \""
                        + step.path("role").asText()
                        + "\", an ArkTeam: "
                        + field
                        + " is for agent steps; put it on the child team's steps, or remove it"));
          }
        }
      }
      List<String> deps = new ArrayList<>();
      step.path("dependsOn").forEach(d -> deps.add(d.asText()));
      dependsOn.putIfAbsent(name, deps);
      JsonSchemas.check(
          manifest, FieldPath.child(path, "outputSchema"), step.path("outputSchema"), problems);
    }
    for (int i = 0; i < pipeline.size(); i++) {
      JsonNode deps = pipeline.get(i).path("dependsOn");
      for (int j = 0; j < deps.size(); j++) {
        String dep = deps.get(j).asText();
        String at =
            FieldPath.index(FieldPath.child(FieldPath.index("spec.pipeline", i), "dependsOn"), j);
        if (!dependsOn.containsKey(dep)) {
          String where = " in dependsOn of step \"" + stepName(pipeline.get(i)) + "\"";
          problems.add(manifest.problem(at, Names.unknown("step", dep, where, dependsOn.keySet())));
        } else if (dep.equals(stepName(pipeline.get(i)))) {
          problems.add(manifest.problem(at, "a step cannot depend on itself; remove it"));
        }
      }
    }
    return dependsOn;
  }

  private void checkStepTemplates(JsonNode pipeline, StepGraph graph, Set<String> inputs) {
    Set<String> roots = Set.of("input", "steps", "trigger");
    for (int i = 0; i < pipeline.size(); i++) {
      JsonNode step = pipeline.get(i);
      String path = FieldPath.index("spec.pipeline", i);
      String name = stepName(step);
      Set<String> upstream = graph.ancestorsOf(name);
      Templates.Scope scope = new Templates.Scope(roots, inputs, graph.steps(), upstream);
      var fields = step.path("inputs").fields();
      while (fields.hasNext()) {
        var field = fields.next();
        String at = FieldPath.child(FieldPath.child(path, "inputs"), field.getKey());
        Templates.checkReferences(
            manifest,
            at,
            Templates.checkSyntax(manifest, at, field.getValue(), problems),
            scope,
            problems);
      }
      String ifPath = FieldPath.child(path, "if");
      Templates.checkReferences(
          manifest,
          ifPath,
          Templates.checkCondition(manifest, ifPath, step.path("if"), problems),
          scope,
          problems);
      Set<String> withSelf = new HashSet<>(upstream);
      withSelf.add(name);
      String loopPath = FieldPath.child(path, "loop.condition");
      Templates.checkReferences(
          manifest,
          loopPath,
          Templates.checkCondition(
              manifest, loopPath, step.path("loop").path("condition"), problems),
          new Templates.Scope(roots, inputs, graph.steps(), withSelf),
          problems);
      String semanticPath = FieldPath.child(path, "validate.semantic");
      Templates.checkSyntax(
          manifest, semanticPath, step.path("validate").path("semantic"), problems);
    }
  }

  static String stepName(JsonNode step) {
    String name = step.path("name").asText("");
    return name.isEmpty() ? step.path("role").asText() : name;
  }
}
