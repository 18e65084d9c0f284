package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * A cron ArkEvent on a Temporal server without the Schedule API (the in-process test server): a
 * durable timer loop that fires {@link EventFireWorkflow} children at the cron's instants in its
 * time zone, with the same overlap behaviour as a Schedule. Workflow id {@code
 * arkevent/<namespace>/<name>}.
 */
@WorkflowInterface
public interface CronEventWorkflow {
  @WorkflowMethod(name = "CronEvent")
  void run(CronSpec spec);

  /** A changed ArkEvent spec (cron, time zone, policy, suspended, targets). */
  @SignalMethod(name = "update")
  void update(CronSpec spec);

  /**
   * @param concurrencyPolicy {@code Allow}, {@code Forbid} (skip a fire while the previous one's
   *     runs are active) or {@code Replace} (cancel them and fire)
   * @param suspended fire nothing while true
   */
  record CronSpec(
      String namespace,
      String event,
      String cron,
      String timezone,
      String concurrencyPolicy,
      boolean suspended,
      List<EventFireWorkflow.Target> targets) {}
}
