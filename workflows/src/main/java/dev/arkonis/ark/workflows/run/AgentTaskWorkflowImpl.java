package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.workflow.Workflow;
import java.util.Map;

/**
 * A delegated task: the target role's agent loop, run as a child workflow of the run. Before its
 * history grows too long it continues as new, carrying the conversation over.
 */
public final class AgentTaskWorkflowImpl implements AgentTaskWorkflow {
  @Override
  public AgentTaskResult run(AgentTaskInput input) {
    RunState state = new RunState(Map.of(), Map.of(), now());
    Resume resume = input.resume();
    TokenUsage spent = TokenUsage.ZERO;
    if (resume != null) {
      for (StepStatus s : resume.steps()) {
        state.add(s.name(), s.role()).copyFrom(s);
        spent = spent.plus(s.tokenUsage());
      }
    } else {
      RunState.Step step = state.add(input.stepName(), input.role());
      step.phase = Phases.RUNNING;
      step.startTime = now();
    }
    RunState.Step step = state.step(input.stepName());
    AgentSpec agent = input.agents().get(input.role());
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
    AgentLoop loop = new AgentLoop(calls, delegations);
    int maxEvents =
        input.maxHistoryEvents() > 0
            ? input.maxHistoryEvents()
            : AgentTaskInput.DEFAULT_MAX_HISTORY_EVENTS;
    int continuations = resume == null ? 0 : resume.continuations();
    AgentLoop.Checkpoint checkpoint =
        progress -> {
          if (Workflow.getInfo().isContinueAsNewSuggested()
              || Workflow.getInfo().getHistoryLength() > maxEvents) {
            Workflow.continueAsNew(
                input.resumed(
                    new Resume(
                        progress.messages(),
                        progress.turn(),
                        progress.schemaFailures(),
                        Payloads.forResult(state.snapshot().steps()),
                        continuations + 1)));
          }
        };
    AgentLoop.Progress from =
        resume == null
            ? null
            : new AgentLoop.Progress(resume.messages(), resume.turn(), resume.schemaFailures());
    String phase;
    String message = null;
    String output = null;
    try {
      ChatResponse answer =
          loop.answer(state, step, -1, agent, input.task(), null, input.depth(), from, checkpoint);
      output = answer.text();
      step.output = output;
      step.data = answer.data();
      step.phase = Phases.SUCCEEDED;
      phase = Phases.SUCCEEDED;
    } catch (RunStop stop) {
      phase = stop.phase();
      message = stop.getMessage();
      step.phase = Phases.FAILED;
      step.message = message;
    }
    step.iterations = 1;
    step.completionTime = now();
    return new AgentTaskResult(
        phase,
        PayloadLimits.cap(output, PayloadLimits.MAX_TEXT_CHARS),
        message,
        Payloads.forResult(state.snapshot().steps()));
  }

  private String now() {
    return Times.format(Workflow.currentTimeMillis());
  }
}
