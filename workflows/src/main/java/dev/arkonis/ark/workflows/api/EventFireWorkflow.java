package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * One fire of an ArkEvent: renders every target's input templates against {@code .trigger}, creates
 * one ArkRun per target in parallel (the operator then runs them), records the fire in the
 * event's status and — when asked, or when the event's concurrency policy needs to know — waits
 * for the runs to finish. Started by a Temporal Schedule (cron), the cron timer workflow, the
 * webhook, or a team-output event.
 */
@WorkflowInterface
public interface EventFireWorkflow {
  @WorkflowMethod(name = "EventFire")
  FireResult fire(FireRequest request);

  /**
   * @param namespace Kubernetes namespace of the event
   * @param event ArkEvent name
   * @param trigger {@code .trigger} in templates: {@code body} (webhook JSON), {@code output}
   *     (team-output) and any extra keys; {@code name} and {@code firedAt} are added by the workflow
   * @param targets teams to run, with their input templates
   * @param waitForRuns wait until every run finished (webhook sync mode, Forbid/Replace cron)
   */
  record FireRequest(
      String namespace,
      String event,
      Map<String, Object> trigger,
      List<Target> targets,
      boolean waitForRuns) {
    public FireRequest {
      trigger = trigger == null ? Map.of() : trigger;
      targets = List.copyOf(targets);
    }
  }

  /** A target of the event: a team and its input templates ({@code targets[]}). */
  record Target(String team, Map<String, String> input) {
    public Target {
      input = input == null ? Map.of() : input;
    }
  }

  /**
   * @param firedAt RFC 3339 time of the fire
   * @param runs the created ArkRun names, in target order
   * @param phases final phase per run (when waited), else empty
   * @param outputs output per succeeded run (when waited), else empty
   */
  record FireResult(
      String firedAt, List<String> runs, Map<String, String> phases, Map<String, String> outputs) {}
}
