package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.HttpIo.refuse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.webhook.HttpIo.Refused;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.run.Times;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The targets of an ArkEvent and a dry run of their input templates against a webhook body, so a
 * body the templates cannot render is refused (400) before a fire starts; the fire renders the same
 * templates with the same data, so it then creates its runs.
 */
final class TargetInputs {
  private TargetInputs() {}

  /** {@code spec.targets} as fire targets; an event without any is refused. */
  static List<Target> of(JsonNode spec, String ref) throws Refused {
    List<Target> targets = new ArrayList<>();
    for (JsonNode target : spec.path("targets")) {
      Map<String, String> input = new LinkedHashMap<>();
      target
          .path("input")
          .fields()
          .forEachRemaining(e -> input.put(e.getKey(), e.getValue().asText()));
      String team = target.path("team").asText("");
      if (team.isEmpty()) {
        throw refuse(
            500, ref + ": spec.targets[" + targets.size() + "].team is empty; fix the event");
      }
      targets.add(new Target(team, input));
    }
    if (targets.isEmpty()) {
      throw refuse(500, ref + " has no spec.targets; add at least one team to run");
    }
    return targets;
  }

  /**
   * Renders every target input with {@code .trigger} = {@code {body, name, firedAt}}.
   *
   * @throws Refused 400 when the body makes a template fail, 500 when a template does not parse
   */
  static void check(List<Target> targets, String event, Map<String, Object> body, String ref)
      throws Refused {
    Map<String, Object> trigger = new LinkedHashMap<>();
    trigger.put("body", body);
    trigger.put("name", event);
    trigger.put("firedAt", Times.format(System.currentTimeMillis()));
    Map<String, Object> data = Map.of("trigger", trigger);
    for (int i = 0; i < targets.size(); i++) {
      for (Map.Entry<String, String> input : targets.get(i).input().entrySet()) {
        if (!Template.isTemplate(input.getValue())) {
          continue;
        }
        String field = "spec.targets[" + i + "].input." + input.getKey();
        Template template;
        try {
          template = Template.parse(input.getValue());
        } catch (TemplateException e) {
          throw refuse(500, ref + ": " + field + " is not a valid template: " + e.getMessage());
        }
        try {
          template.render(data);
        } catch (TemplateException e) {
          throw refuse(
              400,
              "the body cannot be used by "
                  + ref
                  + " "
                  + field
                  + ": "
                  + e.getMessage()
                  + "; nothing was started");
        }
      }
    }
  }
}
