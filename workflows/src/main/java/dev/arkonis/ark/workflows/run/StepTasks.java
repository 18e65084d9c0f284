package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.List;

/**
 * Runs a long pipeline step — a {@code loop} of more than one iteration, or more than {@value
 * #RETRIES_IN_RUN} semantic retries — as a {@link StepTaskWorkflow} child (id {@code <run workflow
 * id>/step/<name>}), which continues as new between iterations and retries when its history grows;
 * the run's history keeps one child per such step instead of every turn.
 */
final class StepTasks {
  /** Change id: steps with a loop of more than one iteration run as StepTask children. */
  static final String LOOPS_AS_CHILDREN = "loop-steps-as-children";

  /** Change id: steps with more than {@value #RETRIES_IN_RUN} semantic retries run as children. */
  static final String RETRIES_AS_CHILDREN = "retry-steps-as-children";

  /** Semantic retries a step may have and still run in the run's own history (the default, 2). */
  static final int RETRIES_IN_RUN = 2;

  private StepTasks() {}

  /** True for a step that runs as a child (asks a version only for such steps). */
  static boolean asChild(StepSpec spec) {
    if (spec.loop() != null && spec.loop().maxIterations() > 1) {
      return Workflow.getVersion(LOOPS_AS_CHILDREN, Workflow.DEFAULT_VERSION, 1) == 1;
    }
    StepSpec.Validation validation = spec.validate();
    if (validation != null
        && "retry".equals(validation.onFailure())
        && validation.maxRetries() > RETRIES_IN_RUN) {
      return Workflow.getVersion(RETRIES_AS_CHILDREN, Workflow.DEFAULT_VERSION, 1) == 1;
    }
    return false;
  }

  /** Runs the step in its child and takes its status over; throws {@link RunStop} as the step. */
  static void run(RunState state, RunPlan plan, StepSpec spec, String defaultTask, Budget budget) {
    StepTaskWorkflow child =
        Workflow.newChildWorkflowStub(
            StepTaskWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/step/" + spec.name())
                .setTaskQueue(Workflow.getInfo().getTaskQueue())
                .setStaticSummary("step " + spec.name() + " · role " + spec.role())
                .build());
    StepTaskWorkflow.StepTaskResult result;
    try {
      result =
          child.run(
              new StepTaskWorkflow.StepTaskInput(
                  plan.namespace(),
                  plan.runName(),
                  plan.agents(),
                  spec,
                  defaultTask,
                  plan.input(),
                  plan.trigger(),
                  Payloads.forResult(state.snapshot().steps()),
                  plan.maxDelegationDepth(),
                  budget.remaining(),
                  0,
                  null,
                  plan.team()));
    } catch (ChildWorkflowFailure failure) {
      throw new RunStop(Phases.FAILED, "the step's workflow failed: " + failure.getCause());
    }
    List<StepStatus> steps = result.steps();
    TokenUsage spent = TokenUsage.ZERO;
    for (int i = 0; i < steps.size(); i++) {
      StepStatus s = steps.get(i);
      if (i == 0) {
        RunState.Step step = state.step(spec.name());
        String phase = step.phase;
        step.copyFrom(s);
        if (!Phases.terminal(s.phase())) {
          step.phase = phase; // the run marks a failed step itself
        }
      } else {
        state.add(state.uniqueStepName(s.name()), s.role()).copyFrom(s);
      }
      spent = spent.plus(s.tokenUsage());
    }
    state.changed();
    budget.afterCall(spec.name(), spent);
    if (!Phases.SUCCEEDED.equals(result.phase()) && !Phases.SKIPPED.equals(result.phase())) {
      throw new RunStop(result.phase(), result.message());
    }
  }
}
