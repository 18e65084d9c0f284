package dev.arkonis.ark.bridge.a2a;

import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The tasks of one ArkService as Temporal workflows: each task is an {@code AgentTask} workflow
 * {@code arkservice/<namespace>/<service>/<task id>} on the orchestration queue whose LLM and tool
 * activities run on the chosen agent's own queue (so its replicas do the work, its daily token
 * budget counts them, and the Temporal Web UI shows each task). The task's context id, agent and
 * input travel in the workflow's memo; its state is the workflow's.
 */
public final class TemporalTasks implements A2aTasks {
  /** Memo keys. */
  static final String MEMO_CONTEXT = "a2aContextId";

  static final String MEMO_AGENT = "arkAgent";
  static final String MEMO_INPUT = "a2aInput";

  /** Characters of the input kept in the memo (the whole input is in the workflow's input). */
  static final int MEMO_INPUT_CHARS = 16 * 1024;

  private static final Pattern TASK_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  /**
   * What the service routes to right now.
   *
   * @param strategy {@code spec.routing.strategy}
   * @param agents selected agent name → its task queue (empty: no agent selected)
   */
  public record Target(String strategy, Map<String, String> agents) {}

  private final WorkflowClient client;
  private final String namespace;
  private final String service;
  private final Supplier<Target> target;
  private final BiFunction<String, String, AgentSpec> agentSpecs;
  private final Strategies strategies;

  /**
   * @param agentSpecs (namespace, agent name) → the agent as a task runs it (may throw {@link
   *     SpecException})
   */
  public TemporalTasks(
      WorkflowClient client,
      String namespace,
      String service,
      Supplier<Target> target,
      BiFunction<String, String, AgentSpec> agentSpecs,
      Strategies strategies) {
    this.client = client;
    this.namespace = namespace;
    this.service = service;
    this.target = target;
    this.agentSpecs = agentSpecs;
    this.strategies = strategies;
  }

  /** The workflow id of a task of {@code service}. */
  public static String workflowId(String namespace, String service, String taskId) {
    return "arkservice/" + namespace + "/" + service + "/" + taskId;
  }

  @Override
  public Task start(String text, String contextId) throws Refused {
    Target now = target.get();
    if (now.agents().isEmpty()) {
      throw new Refused(
          A2aProtocol.INTERNAL_ERROR,
          "ArkService "
              + namespace
              + "/"
              + service
              + " selects no ArkAgent; create the agent its spec.selector names");
    }
    String agent = strategies.pick(now.strategy(), now.agents());
    AgentSpec spec;
    try {
      spec = agentSpecs.apply(namespace, agent);
    } catch (SpecException e) {
      throw new Refused(A2aProtocol.INTERNAL_ERROR, e.getMessage());
    }
    String taskId = UUID.randomUUID().toString();
    String input = PayloadLimits.cap(text, PayloadLimits.MAX_TEXT_CHARS);
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put(MEMO_CONTEXT, contextId);
    memo.put(MEMO_AGENT, agent);
    memo.put(MEMO_INPUT, PayloadLimits.cap(text, MEMO_INPUT_CHARS));
    AgentTaskWorkflow workflow =
        client.newWorkflowStub(
            AgentTaskWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId(namespace, service, taskId))
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .setWorkflowIdReusePolicy(
                    WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE)
                .setMemo(memo)
                .setStaticSummary("A2A task of ArkService " + service + " on agent " + agent)
                .build());
    WorkflowClient.start(
        workflow::run,
        new AgentTaskWorkflow.AgentTaskInput(
            namespace,
            service,
            Map.of(spec.role(), spec),
            spec.role(),
            service,
            input,
            0,
            0,
            0,
            0,
            null,
            null));
    strategies.started(agent);
    stub(taskId)
        .getResultAsync(AgentTaskWorkflow.AgentTaskResult.class)
        .whenComplete((r, e) -> strategies.finished(agent));
    return new Task(taskId, contextId, WORKING, text, null, null, agent, Instant.now().toString());
  }

  @Override
  public Optional<Task> get(String id) {
    if (!TASK_ID.matcher(id).matches()) {
      return Optional.empty();
    }
    WorkflowStub stub = stub(id);
    WorkflowExecutionDescription description;
    try {
      description = stub.describe();
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty();
      }
      throw e;
    }
    String contextId = memo(description, MEMO_CONTEXT);
    String agent = memo(description, MEMO_AGENT);
    String input = memo(description, MEMO_INPUT);
    WorkflowExecutionStatus status = description.getStatus();
    Instant closed = description.getCloseTime();
    String time = (closed != null ? closed : description.getStartTime()).toString();
    return Optional.of(
        switch (status) {
          case WORKFLOW_EXECUTION_STATUS_RUNNING, WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW ->
              new Task(id, contextId, WORKING, input, null, null, agent, time);
          case WORKFLOW_EXECUTION_STATUS_COMPLETED -> {
            AgentTaskWorkflow.AgentTaskResult result =
                stub.getResult(AgentTaskWorkflow.AgentTaskResult.class);
            yield "Succeeded".equals(result.phase())
                ? new Task(id, contextId, COMPLETED, input, result.output(), null, agent, time)
                : new Task(
                    id,
                    contextId,
                    FAILED,
                    input,
                    null,
                    result.phase() + ": " + result.message(),
                    agent,
                    time);
          }
          case WORKFLOW_EXECUTION_STATUS_CANCELED ->
              new Task(id, contextId, CANCELED, input, null, "the task was canceled", agent, time);
          case WORKFLOW_EXECUTION_STATUS_TIMED_OUT ->
              new Task(id, contextId, FAILED, input, null, "the task timed out", agent, time);
          default ->
              new Task(
                  id,
                  contextId,
                  FAILED,
                  input,
                  null,
                  "the task's workflow ended "
                      + status
                          .name()
                          .replace("WORKFLOW_EXECUTION_STATUS_", "")
                          .toLowerCase(java.util.Locale.ROOT),
                  agent,
                  time);
        });
  }

  @Override
  public CompletionStage<Task> done(String id) {
    CompletableFuture<Task> done = new CompletableFuture<>();
    stub(id)
        .getResultAsync(AgentTaskWorkflow.AgentTaskResult.class)
        .whenComplete(
            (r, e) -> {
              try {
                done.complete(get(id).orElseThrow());
              } catch (RuntimeException failure) {
                done.completeExceptionally(failure);
              }
            });
    return done;
  }

  @Override
  public Task cancel(String id) throws Refused {
    Task task =
        get(id)
            .orElseThrow(
                () -> new Refused(A2aProtocol.TASK_NOT_FOUND, "task " + id + " not found"));
    if (task.terminal()) {
      throw new Refused(
          A2aProtocol.TASK_NOT_CANCELABLE,
          "task " + id + " is " + task.state() + " already and cannot be canceled");
    }
    WorkflowStub stub = stub(id);
    stub.cancel("canceled by an A2A client (tasks/cancel)");
    try {
      stub.getResultAsync(AgentTaskWorkflow.AgentTaskResult.class)
          .handle((r, e) -> null)
          .get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
      // still closing: report what the workflow says now
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return get(id).orElse(task);
  }

  private WorkflowStub stub(String taskId) {
    return client.newUntypedWorkflowStub(
        workflowId(namespace, service, taskId), Optional.empty(), Optional.empty());
  }

  private static String memo(WorkflowExecutionDescription description, String key) {
    Object value = description.getMemo(key, String.class);
    return value == null ? null : value.toString();
  }
}
