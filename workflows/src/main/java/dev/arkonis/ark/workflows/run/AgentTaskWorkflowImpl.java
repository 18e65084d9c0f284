package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.ChatResponse;
import io.temporal.workflow.Workflow;
import java.util.Map;

/** A delegated task: the target role's agent loop, run as a child workflow of the run. */
public final class AgentTaskWorkflowImpl implements AgentTaskWorkflow {
  @Override
  public AgentTaskResult run(AgentTaskInput input) {
    RunState state = new RunState(Map.of(), Map.of(), now());
    RunState.Step step = state.add(input.stepName(), input.role());
    step.phase = Phases.RUNNING;
    step.startTime = now();
    AgentSpec agent = input.agents().get(input.role());
    Budget budget = new Budget(input.tokenBudget());
    AgentCalls calls = new AgentCalls(budget);
    Delegations delegations =
        new Delegations(
            input.namespace(),
            input.runName(),
            input.agents(),
            input.maxDepth(),
            budget,
            this::now);
    AgentLoop loop = new AgentLoop(calls, delegations);
    String phase;
    String message = null;
    String output = null;
    try {
      ChatResponse answer = loop.answer(state, step, -1, agent, input.task(), null, input.depth());
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
    return new AgentTaskResult(phase, output, message, state.snapshot().steps());
  }

  private String now() {
    return Times.format(Workflow.currentTimeMillis());
  }
}
