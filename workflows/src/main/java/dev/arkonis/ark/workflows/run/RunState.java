package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Mutable state of one run inside the workflow; {@link #snapshot()} is what the query returns. */
final class RunState {
  private final Map<String, Object> input;
  private final Map<String, Object> trigger;
  private final Map<String, Step> steps = new LinkedHashMap<>();
  private final String startTime;
  private String phase = Phases.RUNNING;
  private String completionTime;
  private String output;
  private String message;
  private String failedStep;
  private int version;

  RunState(Map<String, Object> input, Map<String, Object> trigger, String startTime) {
    this.input = input;
    this.trigger = trigger;
    this.startTime = startTime;
  }

  /** A step's live record. */
  static final class Step {
    final String name;
    final String role;
    String phase = Phases.PENDING;
    int attempts;
    String startTime;
    String completionTime;
    String output;
    Object data;
    TokenUsage usage = TokenUsage.ZERO;
    String message;
    String delegatedFrom;
    int iterations;
    final List<StepToolCall> toolCalls = new ArrayList<>();
    StepStatus.Route route;

    Step(String name, String role) {
      this.name = name;
      this.role = role;
    }

    /** Takes over everything a status says (a child's steps, a resumed task's steps). */
    void copyFrom(StepStatus s) {
      phase = s.phase();
      attempts = s.attempts();
      startTime = s.startTime();
      completionTime = s.completionTime();
      output = s.output();
      data = s.data();
      usage = s.tokenUsage();
      message = s.message();
      delegatedFrom = s.delegatedFrom();
      iterations = s.iterations();
      toolCalls.clear();
      toolCalls.addAll(s.toolCalls());
      route = s.route();
    }

    /**
     * Records a tool call (the first {@link StepToolCall#MAX_PER_STEP}). It does not mark the state
     * changed: the call shows with the step's next status write, so no write is added to the
     * workflow's history.
     */
    void recordToolCall(StepToolCall call) {
      if (toolCalls.size() < StepToolCall.MAX_PER_STEP) {
        toolCalls.add(call);
      }
    }

    StepStatus status() {
      return new StepStatus(
          name,
          role,
          phase,
          attempts,
          startTime,
          completionTime,
          output,
          data,
          usage,
          message,
          delegatedFrom,
          iterations,
          List.copyOf(toolCalls),
          route);
    }
  }

  Step add(String name, String role) {
    Step step = new Step(name, role);
    steps.put(name, step);
    changed();
    return step;
  }

  /** {@code base}, or {@code base-2}, {@code base-3}, ... when taken (repeated delegations). */
  String uniqueStepName(String base) {
    String name = base;
    for (int n = 2; steps.containsKey(name); n++) {
      name = base + "-" + n;
    }
    return name;
  }

  Step step(String name) {
    return steps.get(name);
  }

  /** Bumped on every change; the main loop waits for it to move. */
  int version() {
    return version;
  }

  void changed() {
    version++;
  }

  String phase() {
    return phase;
  }

  boolean running() {
    return Phases.RUNNING.equals(phase);
  }

  /** Steps that finished in a way that lets dependents run: Succeeded or Skipped. */
  Set<String> satisfied() {
    Set<String> done = new java.util.HashSet<>();
    steps.values().stream()
        .filter(s -> Phases.SUCCEEDED.equals(s.phase) || Phases.SKIPPED.equals(s.phase))
        .forEach(s -> done.add(s.name));
    return done;
  }

  /** Steps that are no longer Pending. */
  Set<String> started() {
    Set<String> started = new java.util.HashSet<>();
    steps.values().stream()
        .filter(s -> !Phases.PENDING.equals(s.phase))
        .forEach(s -> started.add(s.name));
    return started;
  }

  boolean allTerminal() {
    return steps.values().stream().allMatch(s -> Phases.terminal(s.phase));
  }

  /** Ends the run (first caller wins). */
  void finish(String phase, String message, String failedStep, String now) {
    if (!running()) {
      return;
    }
    this.phase = phase;
    this.message = message;
    this.failedStep = failedStep;
    this.completionTime = now;
    for (Step step : steps.values()) {
      if (Phases.RUNNING.equals(step.phase)) {
        step.phase = Phases.TIMED_OUT.equals(phase) ? Phases.TIMED_OUT : Phases.CANCELLED;
        step.completionTime = now;
        step.message = "stopped: run " + phase;
      }
    }
    changed();
  }

  void succeed(String output, String now) {
    if (running()) {
      this.output = output;
      finish(Phases.SUCCEEDED, null, null, now);
    }
  }

  TokenUsage totalUsage() {
    TokenUsage total = TokenUsage.ZERO;
    for (Step step : steps.values()) {
      total = total.plus(step.usage);
    }
    return total;
  }

  /**
   * What templates see: {@code .input}, {@code .trigger}, {@code
   * .steps.<name>.{output,data,phase}}.
   */
  Map<String, Object> templateData() {
    Map<String, Object> stepData = new HashMap<>();
    for (Step step : steps.values()) {
      Map<String, Object> s = new HashMap<>();
      s.put("output", step.output);
      s.put("data", step.data);
      s.put("phase", step.phase);
      stepData.put(step.name, s);
    }
    Map<String, Object> data = new HashMap<>();
    data.put("input", input);
    data.put("trigger", trigger);
    data.put("steps", stepData);
    return data;
  }

  RunStatus snapshot() {
    List<StepStatus> list = new ArrayList<>();
    steps.values().forEach(s -> list.add(s.status()));
    return new RunStatus(
        phase, startTime, completionTime, output, message, failedStep, totalUsage(), list);
  }
}
