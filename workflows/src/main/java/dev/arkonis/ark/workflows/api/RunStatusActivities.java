package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Mirrors a run's status into its ArkRun (merge patch on the status subresource). Runs on the
 * operator's queue; idempotent, so retries and a Temporal Web UI reset are harmless.
 */
@ActivityInterface
public interface RunStatusActivities {
  @ActivityMethod(name = "writeRunStatus")
  void write(RunRef run, RunStatus status);

  /**
   * Which ArkRun, and which workflow execution owns it.
   *
   * @param namespace Kubernetes namespace
   * @param name ArkRun name
   * @param team ArkTeam name
   * @param workflowId {@code arkrun/<namespace>/<name>}
   * @param workflowRunId the Temporal run id
   */
  record RunRef(
      String namespace, String name, String team, String workflowId, String workflowRunId) {}
}
