package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepTaskWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.workflow.SignalExternalWorkflowException;
import io.temporal.workflow.Workflow;
import java.util.ArrayList;
import java.util.List;

/**
 * A long pipeline step as a child of its run ({@link StepTasks}): {@link StepRunner} over a state
 * rebuilt from the run's other steps; before a loop iteration or a semantic retry, once the history
 * is long or large, it continues as new carrying the step (and the tasks it delegated) over.
 */
public final class StepTaskWorkflowImpl implements StepTaskWorkflow {
  /** Change id: the step task signals its progress to the run before each iteration or retry. */
  static final String PROGRESS_VERSION = "step-task-progress";

  @Override
  public StepTaskResult run(StepTaskInput input) {
    String name = input.step().name();
    RunState state = new RunState(input.input(), input.trigger(), now());
    for (StepStatus other : input.others()) {
      if (!other.name().equals(name)) {
        state.add(other.name(), other.role()).copyFrom(other);
      }
    }
    TokenUsage spent = TokenUsage.ZERO;
    Resume resume = input.resume();
    if (resume != null) {
      for (StepStatus s : resume.steps()) {
        state.add(s.name(), s.role()).copyFrom(s);
        spent = spent.plus(s.tokenUsage());
      }
    } else {
      RunState.Step step = state.add(name, input.step().role());
      step.phase = Phases.RUNNING;
      step.startTime = now();
    }
    AgentSpec agent = input.agents().get(input.step().role());
    Budget budget = new Budget(input.tokenBudget(), spent);
    AgentCalls calls = new AgentCalls(budget, input.team());
    Delegations delegations =
        new Delegations(
            input.namespace(),
            input.runName(),
            input.agents(),
            input.maxDepth(),
            budget,
            this::now,
            input.team());
    StepRunner runner = new StepRunner(calls, new AgentLoop(calls, delegations));
    int maxEvents =
        input.maxHistoryEvents() > 0
            ? input.maxHistoryEvents()
            : StepTaskInput.DEFAULT_MAX_HISTORY_EVENTS;
    int continuations = resume == null ? 0 : resume.continuations();
    StepRunner.Checkpoint checkpoint =
        at -> {
          reportProgress(state.step(name));
          if (Workflow.getInfo().isContinueAsNewSuggested()
              || Workflow.getInfo().getHistoryLength() > maxEvents
              || Workflow.getInfo().getHistorySize() > StepTaskInput.MAX_HISTORY_BYTES
              || calls.carried() > StepTaskInput.MAX_HISTORY_BYTES) {
            Workflow.continueAsNew(
                input.resumed(
                    new Resume(
                        at.iteration(),
                        at.round(),
                        at.feedback(),
                        ownSteps(state, name),
                        continuations + 1)));
          }
        };
    StepRunner.Position from =
        resume == null
            ? StepRunner.Position.START
            : new StepRunner.Position(resume.iteration(), resume.round(), resume.feedback());
    String phase;
    String message = null;
    try {
      runner.run(state, input.step(), agent, input.defaultTask(), this::now, from, checkpoint);
      phase = state.step(name).phase;
    } catch (RunStop stop) {
      phase = stop.phase();
      message = stop.getMessage();
    }
    return new StepTaskResult(phase, message, ownSteps(state, name));
  }

  /** Signals the step's status so far to the run (its live status), when the run still runs. */
  private static void reportProgress(RunState.Step step) {
    var parent = Workflow.getInfo().getParentWorkflowId();
    if (parent.isEmpty()
        || Workflow.getVersion(PROGRESS_VERSION, Workflow.DEFAULT_VERSION, 1) < 1) {
      return;
    }
    StepStatus status =
        Payloads.forStatus(
                new RunStatus(null, null, null, null, null, null, null, List.of(step.status())))
            .steps()
            .get(0);
    try {
      Workflow.newExternalWorkflowStub(TeamRunWorkflow.class, parent.get()).stepProgress(status);
    } catch (SignalExternalWorkflowException e) {
      // the run has ended: nothing to show any more
    }
  }

  /** This step first, then the tasks it delegated (the steps the run did not have before). */
  private static List<StepStatus> ownSteps(RunState state, String name) {
    List<StepStatus> steps = new ArrayList<>();
    steps.add(state.step(name).status());
    boolean after = false;
    for (StepStatus s : state.snapshot().steps()) {
      if (s.name().equals(name)) {
        after = true;
      } else if (after) {
        steps.add(s);
      }
    }
    return Payloads.forResult(steps);
  }

  private String now() {
    return Times.format(Workflow.currentTimeMillis());
  }
}
