package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventActivities.NewRun;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The runs one fire creates: {@code .trigger} data and every target's rendered input. Pure and
 * deterministic (workflow-safe).
 */
final class FireRuns {
  /**
   * Key of the trigger map through which the cron workflow passes the following fire time; it is
   * forwarded to {@code recordFire} and not visible to templates.
   */
  static final String NEXT_FIRE_AT = "nextFireAt";

  /** {@code ApplicationFailure} type of a fire whose target input does not render. */
  static final String INVALID_TEMPLATE = "InvalidTemplate";

  private FireRuns() {}

  /** {@code .trigger}: the request's trigger plus {@code name} (the event) and {@code firedAt}. */
  static Map<String, Object> trigger(FireRequest request, String firedAt) {
    Map<String, Object> trigger = new LinkedHashMap<>(request.trigger());
    trigger.remove(NEXT_FIRE_AT);
    trigger.put("name", request.event());
    trigger.put("firedAt", firedAt);
    return trigger;
  }

  /** The following fire time the cron workflow passed in, else null. */
  static String nextFireAt(FireRequest request) {
    Object next = request.trigger().get(NEXT_FIRE_AT);
    return next == null ? null : next.toString();
  }

  /**
   * One run per target, in target order, named by {@link EventFireWorkflow#runName}.
   *
   * @throws ApplicationFailure (non-retryable, type {@value #INVALID_TEMPLATE}) naming the target
   *     and input key of the first template that does not parse or render
   */
  static List<NewRun> runs(FireRequest request, String fireId, Map<String, Object> trigger) {
    Map<String, Object> data = Map.of("trigger", trigger);
    List<NewRun> runs = new ArrayList<>();
    for (int i = 0; i < request.targets().size(); i++) {
      Target target = request.targets().get(i);
      Map<String, Object> input = new LinkedHashMap<>();
      for (Map.Entry<String, String> entry : target.input().entrySet()) {
        input.put(entry.getKey(), render(request, i, entry.getKey(), entry.getValue(), data));
      }
      runs.add(
          new NewRun(
              EventFireWorkflow.runName(target.team(), fireId, i), target.team(), input, fireId));
    }
    return runs;
  }

  /**
   * The runs with the names {@code createRuns} answered (it renames a run whose name an ArkRun of
   * something else holds); {@code planned} as is when there is no answer of that size.
   */
  static List<NewRun> renamed(List<NewRun> planned, List<String> created) {
    if (created == null || created.size() != planned.size()) {
      return planned;
    }
    List<NewRun> out = new ArrayList<>();
    for (int i = 0; i < planned.size(); i++) {
      NewRun run = planned.get(i);
      out.add(new NewRun(created.get(i), run.team(), run.input(), run.fireId()));
    }
    return out;
  }

  private static String render(
      FireRequest request, int index, String key, String value, Map<String, Object> data) {
    if (!Template.isTemplate(value)) {
      return value == null ? "" : value;
    }
    String rendered;
    try {
      rendered = Template.parse(value).render(data);
    } catch (TemplateException e) {
      throw invalid(request, index, key, "template " + e.getMessage());
    }
    if (rendered.length() > PayloadLimits.MAX_TEXT_CHARS) {
      throw invalid(
          request,
          index,
          key,
          "rendered to "
              + rendered.length()
              + " characters, more than the "
              + PayloadLimits.MAX_TEXT_CHARS
              + " a run's input may have; take less from .trigger");
    }
    return rendered;
  }

  private static ApplicationFailure invalid(
      FireRequest request, int index, String key, String problem) {
    return ApplicationFailure.newNonRetryableFailure(
        "ArkEvent "
            + request.namespace()
            + "/"
            + request.event()
            + ": targets["
            + index
            + "] (team "
            + request.targets().get(index).team()
            + ") input."
            + key
            + ": "
            + problem
            + "; no run was created",
        INVALID_TEMPLATE);
  }
}
