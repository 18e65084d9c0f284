package dev.arkonis.ark.workflows.api;

import java.util.List;
import java.util.Map;

/**
 * Everything a team run needs, as plain records built from the CRDs by the bridge or the CLI.
 *
 * @param namespace Kubernetes namespace of the run
 * @param runName ArkRun name
 * @param team ArkTeam name
 * @param input resolved inputs (defaults applied, required ones checked)
 * @param trigger what fired the run ({@code .trigger} in templates), possibly empty
 * @param agents role name → agent
 * @param steps pipeline steps in declaration order; empty in dynamic mode
 * @param entry role receiving the task in dynamic mode, or null
 * @param output template of the run's output, or null for the last step's output
 * @param timeoutSeconds wall-clock limit of the run; 0 = none
 * @param maxTokens token budget of the run; 0 = none
 * @param maxDelegationDepth how deep delegation may nest
 * @param priorSteps outputs of steps that already succeeded in the run being retried
 * @param statusTaskQueue task queue of the {@link RunStatusActivities} worker that mirrors the
 *     status into the ArkRun (the operator's), or null when nothing is mirrored ({@code ark run})
 * @param notifyRef the team's ArkNotify ({@code spec.notifyRef.name}) that gets the run's end event
 *     through {@link NotifyActivities}, or null
 * @param routing routed mode ({@code spec.routing}): the router call and its candidates, or null;
 *     then {@code agents} holds the candidates by agent name and {@code steps} is empty
 * @param teams role name → the team a role with {@code arkTeam} runs as a child run; such roles
 *     have no entry in {@code agents}
 */
public record RunPlan(
    String namespace,
    String runName,
    String team,
    Map<String, Object> input,
    Map<String, Object> trigger,
    Map<String, AgentSpec> agents,
    List<StepSpec> steps,
    String entry,
    String output,
    long timeoutSeconds,
    long maxTokens,
    int maxDelegationDepth,
    Map<String, PriorStep> priorSteps,
    String statusTaskQueue,
    String notifyRef,
    RoutingPlan routing,
    Map<String, ChildTeam> teams) {
  /** A plan of a pipeline or dynamic team. */
  public RunPlan(
      String namespace,
      String runName,
      String team,
      Map<String, Object> input,
      Map<String, Object> trigger,
      Map<String, AgentSpec> agents,
      List<StepSpec> steps,
      String entry,
      String output,
      long timeoutSeconds,
      long maxTokens,
      int maxDelegationDepth,
      Map<String, PriorStep> priorSteps,
      String statusTaskQueue,
      String notifyRef) {
    this(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        statusTaskQueue,
        notifyRef,
        null,
        Map.of());
  }

  /** A plan whose status is not mirrored anywhere and that notifies nobody (the CLI, tests). */
  public RunPlan(
      String namespace,
      String runName,
      String team,
      Map<String, Object> input,
      Map<String, Object> trigger,
      Map<String, AgentSpec> agents,
      List<StepSpec> steps,
      String entry,
      String output,
      long timeoutSeconds,
      long maxTokens,
      int maxDelegationDepth,
      Map<String, PriorStep> priorSteps) {
    this(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        null,
        null);
  }

  /** The same plan with its status mirrored by the worker on {@code taskQueue}. */
  public RunPlan withStatusTaskQueue(String taskQueue) {
    return new RunPlan(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        taskQueue,
        notifyRef,
        routing,
        teams);
  }

  /** The same plan with its end event sent to the ArkNotify {@code notifyName} (null: none). */
  public RunPlan withNotify(String notifyName) {
    return new RunPlan(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        statusTaskQueue,
        notifyName,
        routing,
        teams);
  }

  /** The same plan in routed mode. */
  public RunPlan withRouting(RoutingPlan value) {
    return new RunPlan(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        statusTaskQueue,
        notifyRef,
        value,
        teams);
  }

  /** The same plan with roles that run other teams ({@code roles[].arkTeam}). */
  public RunPlan withTeams(Map<String, ChildTeam> value) {
    return new RunPlan(
        namespace,
        runName,
        team,
        input,
        trigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        maxTokens,
        maxDelegationDepth,
        priorSteps,
        statusTaskQueue,
        notifyRef,
        routing,
        value);
  }

  /**
   * A child run of this plan's team: the child team's plan under {@code runName}, with {@code
   * input}, its budget and time capped by what the parent has left, mirrored nowhere and notifying
   * nobody (the parent run's status and end event cover it).
   */
  public RunPlan asChild(
      String childRunName,
      Map<String, Object> childInput,
      Map<String, Object> parentTrigger,
      long maxTokensLeft) {
    long budget = maxTokens;
    if (maxTokensLeft > 0) {
      budget = budget > 0 ? Math.min(budget, maxTokensLeft) : maxTokensLeft;
    }
    return new RunPlan(
        namespace,
        childRunName,
        team,
        childInput,
        parentTrigger,
        agents,
        steps,
        entry,
        output,
        timeoutSeconds,
        budget,
        maxDelegationDepth,
        Map.of(),
        null,
        null,
        routing,
        teams);
  }

  /**
   * Every agent this plan's run may call, its child teams' included (the workers {@code ark run}
   * starts), by task queue.
   */
  public Map<String, AgentSpec> allAgents() {
    Map<String, AgentSpec> all = new java.util.LinkedHashMap<>();
    agents.values().forEach(a -> all.putIfAbsent(a.taskQueue(), a));
    teams.values().forEach(t -> t.plan().allAgents().forEach(all::putIfAbsent));
    return all;
  }

  public RunPlan {
    input = input == null ? Map.of() : input;
    trigger = trigger == null ? Map.of() : trigger;
    steps = steps == null ? List.of() : List.copyOf(steps);
    priorSteps = priorSteps == null ? Map.of() : Map.copyOf(priorSteps);
    agents = agents == null ? Map.of() : agents;
    teams = teams == null ? Map.of() : teams;
  }

  /** Temporal workflow id of a run: {@code arkrun/<namespace>/<name>}. */
  public static String workflowId(String namespace, String runName) {
    return "arkrun/" + namespace + "/" + runName;
  }

  /** Task queue of an agent's workers: {@code ark/<namespace>/<agent>}. */
  public static String taskQueue(String namespace, String agent) {
    return "ark/" + namespace + "/" + agent;
  }

  /**
   * A role that runs another team ({@code roles[].arkTeam}).
   *
   * @param team the child ArkTeam's name
   * @param plan the child team's plan; its {@code input} holds the child's input defaults and
   *     {@code runName} is set per child run
   * @param inputs the input names the child team declares ({@code spec.inputs[].name})
   */
  public record ChildTeam(String team, RunPlan plan, List<String> inputs) {
    public ChildTeam {
      inputs = inputs == null ? List.of() : List.copyOf(inputs);
    }
  }

  /** A step that succeeded in an earlier run and is reused instead of re-run. */
  public record PriorStep(String output, Object data, TokenUsage tokenUsage) {}
}
