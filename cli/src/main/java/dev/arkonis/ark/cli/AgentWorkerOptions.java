package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.activities.spec.TeamChain;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.workflows.api.RunPlan;
import io.temporal.worker.WorkerOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Temporal worker of an agent's task queue ({@code ark agent}, and the in-process agent workers
 * of {@code ark run} and {@code ark dev}): {@code limits.maxConcurrentTasks} activity slots, so one
 * replica never works on more {@code chat} or tool calls at once. Agent queues carry no workflow
 * tasks; their workflow-task slots stay at the minimum.
 */
final class AgentWorkerOptions {
  /** The CRD's default for {@code limits.maxConcurrentTasks}. */
  static final int DEFAULT_MAX_CONCURRENT_TASKS = 5;

  private static final int WORKFLOW_TASK_SLOTS = 2;
  private static final int MAX_ACTIVITY_POLLERS = 5;

  private AgentWorkerOptions() {}

  /** Worker options with {@code maxConcurrentTasks} activity slots. */
  static WorkerOptions of(int maxConcurrentTasks) {
    int slots = maxConcurrentTasks > 0 ? maxConcurrentTasks : DEFAULT_MAX_CONCURRENT_TASKS;
    return WorkerOptions.newBuilder()
        .setMaxConcurrentActivityExecutionSize(slots)
        .setMaxConcurrentActivityTaskPollers(Math.min(slots, MAX_ACTIVITY_POLLERS))
        .setMaxConcurrentLocalActivityExecutionSize(slots)
        .setMaxConcurrentWorkflowTaskExecutionSize(WORKFLOW_TASK_SLOTS)
        .build();
  }

  /** {@code maxConcurrentTasks} of a {@code limits} object (missing: the default). */
  static int slots(JsonNode limits) {
    int value = limits.path("maxConcurrentTasks").asInt(DEFAULT_MAX_CONCURRENT_TASKS);
    return value > 0 ? value : DEFAULT_MAX_CONCURRENT_TASKS;
  }

  /** {@code spec.limits.maxConcurrentTasks} of an ArkAgent. */
  static int slots(ArkAgent agent) {
    if (agent.getSpec() == null
        || agent.getSpec().getLimits() == null
        || agent.getSpec().getLimits().getMaxConcurrentTasks() == null) {
      return DEFAULT_MAX_CONCURRENT_TASKS;
    }
    int value = agent.getSpec().getLimits().getMaxConcurrentTasks();
    return value > 0 ? value : DEFAULT_MAX_CONCURRENT_TASKS;
  }

  /**
   * The slots of each agent task queue of a team ({@code ark run}): an inline role's own {@code
   * limits}, an {@code arkAgent} role's ArkAgent's.
   */
  static Map<String, Integer> forTeam(
      String namespace, String team, JsonNode teamSpec, RunPlanner.References refs) {
    Map<String, Integer> slots = new LinkedHashMap<>();
    collect(namespace, team, teamSpec, refs, slots, 0);
    return slots;
  }

  /** The team's agents' slots and those of the teams its roles run ({@code arkTeam}). */
  private static void collect(
      String namespace,
      String team,
      JsonNode teamSpec,
      RunPlanner.References refs,
      Map<String, Integer> slots,
      int depth) {
    for (JsonNode role : teamSpec.path("roles")) {
      if (role.hasNonNull("arkTeam")) {
        String child = role.path("arkTeam").asText();
        if (depth < TeamChain.MAX_DEPTH) {
          refs.team(child)
              .ifPresent(spec -> collect(namespace, child, spec, refs, slots, depth + 1));
        }
        continue;
      }
      String agent = team + "-" + role.path("name").asText();
      JsonNode spec = role;
      if (role.hasNonNull("arkAgent")) {
        agent = role.path("arkAgent").asText();
        spec = refs.agent(agent).orElse(spec);
      }
      slots.putIfAbsent(RunPlan.taskQueue(namespace, agent), slots(spec.path("limits")));
    }
  }
}
