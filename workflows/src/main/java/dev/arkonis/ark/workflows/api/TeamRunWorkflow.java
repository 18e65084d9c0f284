package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One ArkRun: runs a team's pipeline (or its entry role in dynamic mode) and returns the final
 * status. Workflow id {@code arkrun/<namespace>/<name>}.
 */
@WorkflowInterface
public interface TeamRunWorkflow {
  /** The task queue of the orchestration worker that runs this workflow. */
  String TASK_QUEUE = "ark-orchestrator";

  @WorkflowMethod(name = "TeamRun")
  RunStatus run(RunPlan plan);

  /** The live status: phase, steps with phase, attempts, times, tokens and outputs. */
  @QueryMethod(name = "status")
  RunStatus status();
}
