package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowCancellationType;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs a step whose role has {@code arkTeam}: the other team runs as a {@link TeamRunWorkflow}
 * child (id {@code <run workflow id>/team/<step>}) with the step's rendered inputs as its inputs,
 * under what is left of the parent's token budget; cancelling the step (the run cancelled, timed
 * out or failed elsewhere) cancels the child run. The child's output and tokens become the step's,
 * its steps are listed after it as {@code <step>/<child step>}.
 */
final class TeamSteps {
  /** Change id: roles that run another team. */
  static final String VERSION = "team-roles";

  private TeamSteps() {}

  /** Runs the step to a terminal phase, or throws {@link RunStop} as the step. */
  static void run(
      RunState state,
      RunPlan plan,
      StepSpec spec,
      RunPlan.ChildTeam child,
      String defaultTask,
      Budget budget,
      StepRunner.Clock clock) {
    Workflow.getVersion(VERSION, Workflow.DEFAULT_VERSION, 1);
    RunState.Step step = state.step(spec.name());
    if (spec.condition() != null
        && !spec.condition().isBlank()
        && !StepRunner.evaluate(spec.condition(), state, "if")) {
      step.phase = Phases.SKIPPED;
      step.message = "condition is false: " + spec.condition().trim();
      step.completionTime = clock.now();
      state.changed();
      return;
    }
    Map<String, Object> input = childInput(state, spec, child, defaultTask);
    String runName = plan.runName() + "." + spec.name();
    TeamRunWorkflow run =
        Workflow.newChildWorkflowStub(
            TeamRunWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/team/" + spec.name())
                .setTaskQueue(Workflow.getInfo().getTaskQueue())
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_REQUEST_CANCEL)
                .setCancellationType(ChildWorkflowCancellationType.WAIT_CANCELLATION_COMPLETED)
                .setStaticSummary(
                    "step " + spec.name() + " · runs ArkTeam " + child.team() + " as a child run")
                .build());
    step.message = "running ArkTeam " + child.team() + " as a child run";
    state.changed();
    RunStatus result;
    try {
      result = run.run(child.plan().asChild(runName, input, plan.trigger(), budget.remaining()));
    } catch (ChildWorkflowFailure failure) {
      if (failure.getCause() instanceof CanceledFailure cancelled) {
        throw cancelled;
      }
      throw new RunStop(
          Phases.FAILED,
          "the run of ArkTeam " + child.team() + " failed: " + failure.getCause().getMessage());
    }
    TokenUsage spent =
        result.totalTokenUsage() == null ? TokenUsage.ZERO : result.totalTokenUsage();
    step.output = result.output();
    step.message =
        "ran ArkTeam "
            + child.team()
            + ": "
            + result.phase()
            + ", "
            + spent.totalTokens()
            + " tokens in "
            + result.steps().size()
            + " steps (listed as "
            + spec.name()
            + "/<step>)";
    for (StepStatus s : result.steps()) {
      RunState.Step copy = state.add(state.uniqueStepName(spec.name() + "/" + s.name()), s.role());
      copy.copyFrom(s);
      if (copy.delegatedFrom == null) {
        copy.delegatedFrom = spec.name();
      }
    }
    state.changed();
    boolean succeeded = Phases.SUCCEEDED.equals(result.phase());
    try {
      budget.afterCall(spec.name(), spent);
    } catch (RunStop overBudget) {
      if (succeeded) {
        throw overBudget;
      } // else the child's own end says more
    }
    if (!succeeded) {
      String phase =
          Phases.BUDGET_EXCEEDED.equals(result.phase()) ? Phases.BUDGET_EXCEEDED : Phases.FAILED;
      throw new RunStop(
          phase,
          "ArkTeam "
              + child.team()
              + " ended "
              + result.phase()
              + (result.message() == null ? "" : ": " + result.message()));
    }
    step.phase = Phases.SUCCEEDED;
    step.completionTime = clock.now();
    state.changed();
  }

  /**
   * The child run's inputs: its defaults, then each rendered step input under the child input of
   * the same name; {@code prompt} (or, for an entry role, the run's task) fills the child's only
   * input when it declares no input named {@code prompt}. The planner checked that the names fit.
   */
  static Map<String, Object> childInput(
      RunState state, StepSpec spec, RunPlan.ChildTeam child, String defaultTask) {
    Map<String, String> given = new LinkedHashMap<>();
    if (spec.inputs().isEmpty()) {
      given.put("prompt", defaultTask);
    }
    spec.inputs()
        .forEach((k, v) -> given.put(k, StepRunner.renderText(v, state, "inputs." + k).trim()));
    Map<String, Object> input = new LinkedHashMap<>(child.plan().input());
    given.forEach(
        (k, v) -> {
          if (child.inputs().contains(k)) {
            input.put(k, v);
          } else if (k.equals("prompt") && child.inputs().size() == 1) {
            input.put(child.inputs().get(0), v);
          } else if (k.equals("prompt") && child.inputs().isEmpty()) {
            input.put(k, v);
          }
        });
    return input;
  }
}
