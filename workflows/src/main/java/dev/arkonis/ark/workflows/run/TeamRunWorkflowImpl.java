package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.notify.RunEndNotice;
import dev.arkonis.ark.workflows.plan.StepGraph;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a team: pipeline steps start as soon as their dependencies are satisfied (independent steps
 * in parallel), under the run's timeout and token budget. Dynamic mode runs the entry role as a
 * single step.
 */
public final class TeamRunWorkflowImpl implements dev.arkonis.ark.workflows.api.TeamRunWorkflow {
  private RunState state;

  /** Change id: a call cancelled with the run no longer fails its step. */
  private static final String CANCELLED_CALLS_VERSION = "cancelled-calls-cancel-the-step";

  /** Change id: routed mode (spec.routing), a route step before the task. */
  private static final String ROUTED_MODE_VERSION = "routed-mode";

  private final Map<String, CancellationScope> scopes = new LinkedHashMap<>();

  @Override
  public RunStatus run(RunPlan plan) {
    state = new RunState(plan.input(), plan.trigger(), now());
    PhaseAttribute phase = new PhaseAttribute();
    String problem = PlanCheck.problem(plan);
    if (problem != null) {
      // a plan the validator should have rejected: fail the run, never the workflow task
      state.finish(Phases.FAILED, problem, null, now());
      new StatusMirror(plan).finish(state);
      phase.sync(state.phase());
      return notified(plan, state.snapshot());
    }
    Budget budget = new Budget(plan.maxTokens());
    AgentCalls calls = new AgentCalls(budget, plan.team());
    StatusMirror mirror = new StatusMirror(plan);
    List<StepSpec> steps;
    if (plan.routing() != null) {
      String agent = routed(plan, calls, mirror, phase);
      if (agent == null) {
        return notified(plan, state.snapshot());
      }
      steps = List.of(taskStep(agent));
    } else {
      steps = plan.steps().isEmpty() ? List.of(entryStep(plan)) : plan.steps();
    }
    Map<String, List<String>> deps = new LinkedHashMap<>();
    Map<String, StepSpec> byName = new LinkedHashMap<>();
    for (StepSpec step : steps) {
      deps.put(step.name(), step.dependsOn());
      byName.put(step.name(), step);
      reuseOrAdd(plan, step);
    }
    StepGraph graph = new StepGraph(deps);
    Delegations delegations =
        new Delegations(
            plan.namespace(),
            plan.runName(),
            plan.agents(),
            plan.maxDelegationDepth(),
            budget,
            this::now,
            plan.team());
    StepRunner runner = new StepRunner(calls, new AgentLoop(calls, delegations));
    RunWait wait = new RunWait(plan);
    try {
      while (state.running()) {
        for (String name : graph.ready(state.satisfied(), state.started())) {
          launch(runner, plan, byName.get(name));
        }
        if (state.allTerminal()) {
          state.succeed(output(plan, steps), now());
          break;
        }
        // captured before the status write: a step finishing meanwhile wakes the loop at once
        int seen = state.version();
        mirror.sync(state);
        phase.sync(state.phase());
        if (wait.timedOut(() -> state.version() != seen)) {
          state.finish(
              Phases.TIMED_OUT,
              "run exceeded spec.timeoutSeconds (" + plan.timeoutSeconds() + "s)",
              null,
              now());
        }
      }
    } catch (CanceledFailure e) {
      state.finish(Phases.CANCELLED, "run cancelled", null, now());
      cancelRunning();
      Workflow.newDetachedCancellationScope(
              () -> {
                mirror.finish(state);
                phase.sync(state.phase());
              })
          .run();
      throw e;
    }
    cancelRunning();
    mirror.finish(state);
    phase.sync(state.phase());
    return notified(plan, state.snapshot());
  }

  /**
   * The final status, after its end event went to the team's ArkNotify (when it has one); its
   * outputs whole unless together they would not fit into one payload ({@link Payloads}).
   */
  private static RunStatus notified(RunPlan plan, RunStatus status) {
    RunStatus fitted = Payloads.forResult(status);
    RunEndNotice.send(plan, fitted);
    return fitted;
  }

  @Override
  public void stepProgress(dev.arkonis.ark.workflows.api.StepStatus progress) {
    RunState.Step step = state == null ? null : state.step(progress.name());
    if (step == null || !Phases.RUNNING.equals(step.phase)) {
      return; // the step ended meanwhile: its result is what counts
    }
    step.copyFrom(progress);
    step.phase = Phases.RUNNING;
    step.completionTime = null;
    state.changed();
  }

  @Override
  public RunStatus status() {
    return state == null ? null : Payloads.forResult(state.snapshot());
  }

  private void reuseOrAdd(RunPlan plan, StepSpec step) {
    RunState.Step s = state.add(step.name(), step.role());
    RunPlan.PriorStep prior = plan.priorSteps().get(step.name());
    if (prior != null) {
      s.phase = Phases.SUCCEEDED;
      s.output = prior.output();
      s.data = prior.data();
      s.message = "reused from the retried run";
      s.startTime = now();
      s.completionTime = s.startTime;
    }
  }

  private void launch(StepRunner runner, RunPlan plan, StepSpec spec) {
    RunState.Step step = state.step(spec.name());
    step.phase = Phases.RUNNING;
    step.startTime = now();
    state.changed();
    AgentSpec agent = plan.agents().get(spec.role());
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> {
              Promise<Void> body = Async.procedure(() -> runStep(runner, plan, spec, agent));
              if (spec.timeoutSeconds() > 0) {
                boolean done =
                    Timers.await(
                        Duration.ofSeconds(spec.timeoutSeconds()),
                        "timeoutSeconds of step " + spec.name(),
                        body::isCompleted);
                if (!done) {
                  stepFailed(
                      step,
                      Phases.TIMED_OUT,
                      "step exceeded timeoutSeconds (" + spec.timeoutSeconds() + "s)");
                  CancellationScope.current().cancel();
                  return;
                }
              }
              settle(step, body);
            });
    scopes.put(spec.name(), scope);
    Async.procedure(scope::run);
  }

  /**
   * A step whose role runs another team runs that team as a child run ({@link TeamSteps}); a step
   * with a loop runs as a child that can continue as new ({@link StepTasks}).
   */
  private void runStep(StepRunner runner, RunPlan plan, StepSpec spec, AgentSpec agent) {
    RunPlan.ChildTeam child = plan.teams().get(spec.role());
    if (child != null) {
      TeamSteps.run(state, plan, spec, child, task(plan), runner.budget(), this::now);
    } else if (StepTasks.asChild(spec)) {
      StepTasks.run(state, plan, spec, task(plan), runner.budget());
    } else {
      runner.run(state, spec, agent, task(plan), this::now);
    }
  }

  private void settle(RunState.Step step, Promise<Void> body) {
    try {
      body.get();
    } catch (RunStop stop) {
      if (runCancelled()) {
        return; // its call was cancelled with the run: the step ends Cancelled, not Failed
      }
      stepFailed(step, stop.phase(), stop.getMessage());
    } catch (CanceledFailure cancelled) {
      // the run ended; RunState.finish marked the step
    } catch (RuntimeException e) {
      stepFailed(step, Phases.FAILED, "internal error: " + e);
    }
  }

  /**
   * True in a step's scope when the run itself is being cancelled (the cancellation reaches the
   * step's calls before the run loop sees it).
   */
  private static boolean runCancelled() {
    return CancellationScope.current().isCancelRequested()
        && Workflow.getVersion(CANCELLED_CALLS_VERSION, Workflow.DEFAULT_VERSION, 1) == 1;
  }

  private void stepFailed(RunState.Step step, String phase, String message) {
    if (!state.running()) {
      return;
    }
    step.phase = Phases.BUDGET_EXCEEDED.equals(phase) ? Phases.FAILED : phase;
    step.message = message;
    step.completionTime = now();
    String runPhase = Phases.BUDGET_EXCEEDED.equals(phase) ? phase : Phases.FAILED;
    state.finish(runPhase, "step " + step.name + ": " + message, step.name, now());
  }

  private void cancelRunning() {
    scopes.values().forEach(CancellationScope::cancel);
  }

  /**
   * Routed mode: the {@code route} step makes the router call and records the decision; returns the
   * chosen agent, or null when the run ended (router call failed, budget, no fallback).
   */
  private String routed(RunPlan plan, AgentCalls calls, StatusMirror mirror, PhaseAttribute phase) {
    Workflow.getVersion(ROUTED_MODE_VERSION, Workflow.DEFAULT_VERSION, 1);
    RunState.Step step = state.add(RoutingPlan.ROUTE_STEP, "router");
    step.phase = Phases.RUNNING;
    step.startTime = now();
    mirror.sync(state);
    phase.sync(state.phase());
    try {
      StepStatus.Route route = Router.route(calls, state, step, plan.routing(), task(plan));
      step.route = route;
      step.output =
          "routed to "
              + route.resolvedAgent()
              + (route.selectedCapability() == null ? "" : " (" + route.selectedCapability() + ")");
      step.phase = Phases.SUCCEEDED;
      step.completionTime = now();
      state.changed();
      return route.resolvedAgent();
    } catch (RunStop stop) {
      stepFailed(step, stop.phase(), stop.getMessage());
    } catch (CanceledFailure e) {
      state.finish(Phases.CANCELLED, "run cancelled", null, now());
      Workflow.newDetachedCancellationScope(
              () -> {
                mirror.sync(state);
                phase.sync(state.phase());
              })
          .run();
      throw e;
    }
    mirror.sync(state);
    phase.sync(state.phase());
    return null;
  }

  /** Routed mode's task: the run's task on the chosen agent (its name is its role in the plan). */
  private static StepSpec taskStep(String agent) {
    return new StepSpec(
        RoutingPlan.TASK_STEP, agent, List.of(), Map.of(), null, null, null, null, 0, -1);
  }

  private static StepSpec entryStep(RunPlan plan) {
    return new StepSpec(
        plan.entry(), plan.entry(), List.of(), Map.of(), null, null, null, null, 0, -1);
  }

  /** The task of a step without a prompt: the single input's value, else the inputs as JSON. */
  private static String task(RunPlan plan) {
    Map<String, Object> input = plan.input();
    if (input.size() == 1) {
      return String.valueOf(input.values().iterator().next());
    }
    return Template.parse("{{ toJson .input }}").render(Map.of("input", input));
  }

  private String output(RunPlan plan, List<StepSpec> steps) {
    if (plan.output() != null && !plan.output().isBlank()) {
      try {
        return Template.parse(plan.output()).render(state.templateData());
      } catch (TemplateException e) {
        return "spec.output: template " + e.getMessage();
      }
    }
    List<StepSpec> reversed = new ArrayList<>(steps);
    java.util.Collections.reverse(reversed);
    for (StepSpec step : reversed) {
      RunState.Step s = state.step(step.name());
      if (Phases.SUCCEEDED.equals(s.phase)) {
        return s.output;
      }
    }
    return "";
  }

  private String now() {
    return Times.format(Workflow.currentTimeMillis());
  }
}
