package dev.arkonis.ark.workflows.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.Map;

/**
 * The built-in {@code delegate(role, task)} tool. The workflow, not the prompt, decides: a target
 * outside the caller's {@code canDelegate}, or past {@code maxDelegationDepth}, is refused and the
 * refusal returned to the model with nothing run; an allowed delegation is an {@link
 * AgentTaskWorkflow} child on the run's own queue whose activities run on the target's queue.
 */
final class Delegations {
  static final String TOOL = "delegate";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String namespace;
  private final String runName;
  private final Map<String, AgentSpec> agents;
  private final int maxDepth;
  private final Budget budget;
  private final StepRunner.Clock clock;
  private final String team;

  Delegations(
      String namespace,
      String runName,
      Map<String, AgentSpec> agents,
      int maxDepth,
      Budget budget,
      StepRunner.Clock clock,
      String team) {
    this.namespace = namespace;
    this.team = team;
    this.runName = runName;
    this.agents = agents;
    this.maxDepth = maxDepth;
    this.budget = budget;
    this.clock = clock;
  }

  boolean mayDelegate(AgentSpec agent, int depth) {
    return !agent.canDelegate().isEmpty() && depth < maxDepth;
  }

  /** The tool definition offered to a role with {@code canDelegate}. */
  static ChatRequest.ToolSpec tool(List<String> roles) {
    String schema =
        JSON.createObjectNode()
            .put("type", "object")
            .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                "properties",
                JSON.createObjectNode()
                    .<com.fasterxml.jackson.databind.node.ObjectNode>set(
                        "role",
                        JSON.createObjectNode()
                            .put("type", "string")
                            .put("description", "The team role to hand the task to.")
                            .set("enum", JSON.valueToTree(roles)))
                    .set(
                        "task",
                        JSON.createObjectNode()
                            .put("type", "string")
                            .put("description", "What the role should do, self-contained.")))
            .set("required", JSON.valueToTree(List.of("role", "task")))
            .toString();
    return new ChatRequest.ToolSpec(
        TOOL,
        "Hand a task to another role of your team and get its answer back. Roles you may"
            + " delegate to: "
            + String.join(", ", roles)
            + ".",
        schema);
  }

  /**
   * Runs (or refuses) one delegation; returns what the model sees as the tool result and the
   * outcome the step's {@code toolCalls} show.
   */
  AgentLoop.ToolOutcome delegate(
      RunState state, RunState.Step from, AgentSpec caller, ChatMessage.ToolCall call, int depth) {
    JsonNode args;
    try {
      args = JSON.readTree(call.arguments() == null ? "{}" : call.arguments());
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return AgentLoop.ToolOutcome.denied(
          "refused: the arguments are not JSON; call delegate with {\"role\": ..., \"task\":"
              + " ...}");
    }
    String role = args.path("role").asText("");
    String task = args.path("task").asText("");
    if (!caller.canDelegate().contains(role)) {
      return AgentLoop.ToolOutcome.denied(
          "refused: role \""
              + role
              + "\" is not one you may delegate to (canDelegate: "
              + String.join(", ", caller.canDelegate())
              + "); nothing was run");
    }
    if (depth >= maxDepth) {
      return AgentLoop.ToolOutcome.denied(
          "refused: delegation depth limit reached (maxDelegationDepth " + maxDepth + ")");
    }
    if (task.isBlank()) {
      return AgentLoop.ToolOutcome.denied(
          "refused: the task is empty; say what " + role + " should do");
    }
    String name = state.uniqueStepName(depth == 0 ? role : from.name + "/" + role);
    RunState.Step step = state.add(name, role);
    step.delegatedFrom = from.name;
    step.phase = Phases.RUNNING;
    step.startTime = clock.now();
    state.changed();
    AgentTaskWorkflow child =
        Workflow.newChildWorkflowStub(
            AgentTaskWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(Workflow.getInfo().getWorkflowId() + "/" + name)
                .setTaskQueue(Workflow.getInfo().getTaskQueue())
                .setStaticSummary("delegated by " + from.name + " to " + role)
                .build());
    AgentTaskWorkflow.AgentTaskResult result;
    StepTag.set(from.name);
    try {
      result =
          child.run(
              new AgentTaskWorkflow.AgentTaskInput(
                  namespace,
                  runName,
                  agents,
                  role,
                  name,
                  task,
                  depth + 1,
                  maxDepth,
                  budget.remaining(),
                  0,
                  null,
                  team));
    } catch (ChildWorkflowFailure failure) {
      step.phase = Phases.FAILED;
      step.message = "delegated task failed: " + failure.getCause();
      step.completionTime = clock.now();
      state.changed();
      return AgentLoop.ToolOutcome.error("error: delegation to " + role + " failed");
    }
    merge(state, step, result);
    if (Phases.BUDGET_EXCEEDED.equals(result.phase())) {
      throw new RunStop(Phases.BUDGET_EXCEEDED, result.message());
    }
    return Phases.SUCCEEDED.equals(result.phase())
        ? AgentLoop.ToolOutcome.ok(result.output())
        : AgentLoop.ToolOutcome.error(
            "error: " + role + " could not complete the task: " + result.message());
  }

  /** Copies the child's steps into the run; the first one is the delegated task itself. */
  private void merge(RunState state, RunState.Step step, AgentTaskWorkflow.AgentTaskResult result) {
    List<StepStatus> steps = result.steps();
    TokenUsage spent = TokenUsage.ZERO;
    for (int i = 0; i < steps.size(); i++) {
      StepStatus s = steps.get(i);
      if (i == 0) {
        String delegatedFrom = step.delegatedFrom;
        step.copyFrom(s);
        step.delegatedFrom = delegatedFrom;
      } else {
        state.add(s.name(), s.role()).copyFrom(s);
      }
      spent = spent.plus(s.tokenUsage());
    }
    state.changed();
    budget.afterCall(step.name, spent);
  }
}
