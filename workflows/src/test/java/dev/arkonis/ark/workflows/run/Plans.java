package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Small run plans for workflow tests. */
final class Plans {
  static final String NS = "test";

  private Plans() {}

  static AgentSpec agent(String role, int maxTokensPerCall) {
    return new AgentSpec(
        role,
        "team-" + role,
        RunPlan.taskQueue(NS, "team-" + role),
        "mock-model",
        "mock",
        "You are " + role,
        maxTokensPerCall,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  static StepSpec step(String name, String... dependsOn) {
    return new StepSpec(
        name,
        name,
        List.of(dependsOn),
        Map.of("prompt", "do " + name),
        null,
        null,
        null,
        null,
        0,
        -1);
  }

  /**
   * Starts {@code plan}'s run on the test server: {@code activities} on every agent queue of the
   * plan (its child teams' included), the run on {@code worker}'s queue.
   */
  static WorkflowStub start(
      TestWorkflowEnvironment env, Worker worker, RunPlan plan, Object... activities) {
    plan.allAgents()
        .keySet()
        .forEach(q -> env.newWorker(q).registerActivitiesImplementations(activities));
    env.start();
    TeamRunWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RunPlan.workflowId(plan.namespace(), plan.runName()))
                    .setTaskQueue(worker.getTaskQueue())
                    .build());
    WorkflowClient.start(workflow::run, plan);
    return WorkflowStub.fromTyped(workflow);
  }

  /**
   * The status of child workflow {@code id} once it has closed: a parent closes without waiting for
   * its children's cancellation, which the server delivers after it (parent-close policy).
   */
  static WorkflowExecutionStatus closedStatus(TestWorkflowEnvironment env, String id) {
    try {
      env.getWorkflowClient()
          .newUntypedWorkflowStub(id)
          .getResult(30, TimeUnit.SECONDS, Object.class);
    } catch (WorkflowException | TimeoutException e) {
      // failed, cancelled or timed out: the status says which
    }
    return status(env, id);
  }

  /** The status of workflow {@code id} now. */
  static WorkflowExecutionStatus status(TestWorkflowEnvironment env, String id) {
    return env.getWorkflowServiceStubs()
        .blockingStub()
        .describeWorkflowExecution(
            DescribeWorkflowExecutionRequest.newBuilder()
                .setNamespace(env.getNamespace())
                .setExecution(WorkflowExecution.newBuilder().setWorkflowId(id))
                .build())
        .getWorkflowExecutionInfo()
        .getStatus();
  }

  /** A step of a run's status by name. */
  static StepStatus step(RunStatus status, String name) {
    return status.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  static Builder builder() {
    return new Builder();
  }

  static final class Builder {
    final List<StepSpec> steps = new ArrayList<>();
    Map<String, Object> input = Map.of("topic", "agents");
    long timeout;
    long maxTokens;
    int maxTokensPerCall;
    String output;
    Map<String, RunPlan.PriorStep> prior = Map.of();

    Builder step(StepSpec step) {
      steps.add(step);
      return this;
    }

    Builder timeout(long seconds) {
      timeout = seconds;
      return this;
    }

    Builder maxTokens(long tokens, int perCall) {
      maxTokens = tokens;
      maxTokensPerCall = perCall;
      return this;
    }

    Builder output(String template) {
      output = template;
      return this;
    }

    Builder prior(Map<String, RunPlan.PriorStep> prior) {
      this.prior = prior;
      return this;
    }

    RunPlan build() {
      Map<String, AgentSpec> agents = new LinkedHashMap<>();
      for (StepSpec step : steps) {
        agents.putIfAbsent(step.role(), agent(step.role(), maxTokensPerCall));
      }
      return new RunPlan(
          NS, "run-1", "team", input, Map.of(), agents, steps, null, output, timeout, maxTokens, 3,
          prior);
    }
  }
}
