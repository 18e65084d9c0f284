package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
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

  /**
   * Progress of a step running as a {@link StepTaskWorkflow} child (sent before each further loop
   * iteration or semantic retry): shown in the live status until the step ends.
   */
  @SignalMethod(name = "stepProgress")
  void stepProgress(StepStatus step);

  /** The live status: phase, steps with phase, attempts, times, tokens and outputs. */
  @QueryMethod(name = "status")
  RunStatus status();
}
