package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * One fire of an ArkEvent: renders every target's input templates against {@code .trigger}, creates
 * one ArkRun per target in parallel (the operator then runs them), records the fire in the event's
 * status and — when asked, or when the event's concurrency policy needs to know — waits for the
 * runs to finish. Started by a Temporal Schedule (cron), the cron timer workflow, the webhook, or a
 * team-output event.
 */
@WorkflowInterface
public interface EventFireWorkflow {
  @WorkflowMethod(name = "EventFire")
  FireResult fire(FireRequest request);

  /** Workflow id of a fire: {@code arkevent/<namespace>/<event>/<fireId>}. */
  static String workflowId(String namespace, String event, String fireId) {
    return "arkevent/" + namespace + "/" + event + "/" + fireId;
  }

  /**
   * Name of the ArkRun a fire creates for its {@code index}-th target: {@code <team>-<5 chars>},
   * derived from the fire id so the webhook can answer with the names before the runs exist and a
   * retried fire never creates a second run.
   */
  static String runName(String team, String fireId, int index) {
    String alphabet = "bcdfghjklmnpqrstvwxz2456789";
    long hash = 1125899906842597L;
    for (char c : (fireId + "#" + index).toCharArray()) {
      hash = 31 * hash + c;
    }
    hash ^= (hash >>> 29);
    StringBuilder name = new StringBuilder(team).append('-');
    for (int i = 0; i < 5; i++) {
      name.append(alphabet.charAt((int) Math.floorMod(hash, (long) alphabet.length())));
      hash = Math.floorDiv(hash, alphabet.length()) ^ (hash * 0x9E3779B97F4A7C15L);
    }
    return name.toString();
  }

  /**
   * @param namespace Kubernetes namespace of the event
   * @param event ArkEvent name
   * @param trigger {@code .trigger} in templates: {@code body} (webhook JSON), {@code output}
   *     (team-output) and any extra keys; {@code name} and {@code firedAt} are added by the
   *     workflow
   * @param targets teams to run, with their input templates
   * @param waitForRuns wait until every run finished (webhook sync mode, Forbid/Replace cron)
   * @param fireId identifies the fire (run names derive from it); null = the workflow's run id
   */
  record FireRequest(
      String namespace,
      String event,
      Map<String, Object> trigger,
      List<Target> targets,
      boolean waitForRuns,
      String fireId) {
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
