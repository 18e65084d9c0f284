package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.template.Conditions;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import java.util.List;
import java.util.Set;

/** Static checks of the templates in manifests: syntax, and what they refer to. */
final class Templates {
  private Templates() {}

  /**
   * What a template may refer to.
   *
   * @param roots allowed top-level names ({@code input}, {@code steps}, {@code trigger}, ...)
   * @param inputs declared inputs, or null when any input name is allowed
   * @param steps all steps of the pipeline
   * @param reachable steps whose output is available where the template runs, or null for all
   */
  record Scope(Set<String> roots, Set<String> inputs, Set<String> steps, Set<String> reachable) {}

  /** Parses a template field; returns its references, or null after adding a syntax problem. */
  static Set<List<String>> checkSyntax(
      Manifest manifest, String path, JsonNode node, List<Problem> problems) {
    if (!node.isTextual()) {
      return Set.of();
    }
    try {
      return Template.parse(node.asText()).references();
    } catch (TemplateException e) {
      problems.add(manifest.problem(path, "template " + e.getMessage() + "; fix the template"));
      return null;
    }
  }

  /** Same as {@link #checkSyntax} for {@code if:} / {@code loop.condition} expressions. */
  static Set<List<String>> checkCondition(
      Manifest manifest, String path, JsonNode node, List<Problem> problems) {
    if (!node.isTextual()) {
      return Set.of();
    }
    try {
      return Conditions.references(node.asText());
    } catch (TemplateException e) {
      problems.add(manifest.problem(path, "condition " + e.getMessage() + "; fix the expression"));
      return null;
    }
  }

  /** Checks a template's field references against what exists where it runs. */
  static void checkReferences(
      Manifest manifest,
      String path,
      Set<List<String>> references,
      Scope scope,
      List<Problem> problems) {
    if (references == null) {
      return;
    }
    for (List<String> chain : references) {
      if (chain.isEmpty()) {
        continue;
      }
      String root = chain.get(0);
      if (!scope.roots().contains(root)) {
        problems.add(
            manifest.problem(
                path,
                "template refers to ."
                    + root
                    + ", which does not exist here; use "
                    + String.join(
                        ", ", scope.roots().stream().sorted().map(r -> "." + r).toList())));
        continue;
      }
      if (chain.size() < 2) {
        continue;
      }
      String name = chain.get(1);
      if (root.equals("input") && scope.inputs() != null && !scope.inputs().contains(name)) {
        problems.add(
            manifest.problem(
                path,
                "template refers to ."
                    + String.join(".", chain)
                    + ": "
                    + Names.unknown("input", name, scope.inputs())
                    + "; declare it in spec.inputs"));
      } else if (root.equals("steps")) {
        if (!scope.steps().contains(name)) {
          problems.add(
              manifest.problem(
                  path,
                  "template refers to ."
                      + String.join(".", chain)
                      + ": "
                      + Names.unknown("step", name, scope.steps())));
        } else if (scope.reachable() != null && !scope.reachable().contains(name)) {
          problems.add(
              manifest.problem(
                  path,
                  "template refers to step \""
                      + name
                      + "\", which does not run before this step; add \""
                      + name
                      + "\" to dependsOn"));
        } else if (chain.size() > 2 && !Set.of("output", "data", "phase").contains(chain.get(2))) {
          problems.add(
              manifest.problem(
                  path,
                  "template refers to ."
                      + String.join(".", chain)
                      + "; a step has .output, .data (its output parsed as JSON) and .phase"));
        }
      }
    }
  }
}
