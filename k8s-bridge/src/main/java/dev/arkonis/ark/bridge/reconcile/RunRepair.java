package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities.RunRef;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.run.Times;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Repairs the status of a started ArkRun from its workflow's real state. The workflow writes the
 * status itself at every transition; this covers what it cannot write: an execution that was
 * terminated, timed out, or closed while its status writes failed (operator down, API refusals).
 * The newest execution of the workflow id is the one followed (a Temporal Web UI reset starts a new
 * execution under the same id).
 *
 * <ul>
 *   <li>completed → the status from the workflow's result ({@link RunStatus});
 *   <li>failed → {@code Failed} with the failure's message;
 *   <li>terminated → {@code Failed} with {@code workflow terminated: <reason>};
 *   <li>timed out → {@code TimedOut}; cancelled → {@code Cancelled}.
 * </ul>
 *
 * Steps still shown as running get the run's final phase. A running workflow or one that cannot be
 * found changes nothing.
 */
final class RunRepair {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final WorkflowClient temporal;
  private final StatusWriter status;
  private final Clock clock;

  RunRepair(WorkflowClient temporal, StatusWriter status, Clock clock) {
    this.temporal = temporal;
    this.status = status;
    this.clock = clock;
  }

  /**
   * Mirrors a closed workflow's final state into the ArkRun whose status still shows it active.
   *
   * @param tree the ArkRun as JSON; its {@code status} is non-terminal, with a {@code workflowId}
   * @return true when the status was written
   */
  boolean repair(ArkRun run, JsonNode tree) {
    JsonNode runStatus = tree.path("status");
    String workflowId = runStatus.path("workflowId").asText();
    WorkflowExecutionDescription described;
    try {
      described = temporal.newUntypedWorkflowStub(workflowId).describe();
    } catch (WorkflowNotFoundException e) {
      return false; // deleted or past retention: nothing to mirror
    }
    WorkflowExecutionStatus state = described.getStatus();
    if (state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING
        || state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
        || state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED) {
      return false;
    }
    String namespace = run.getMetadata().getNamespace();
    String name = run.getMetadata().getName();
    String runId = described.getExecution().getRunId();
    HistoryEvent close = closeEvent(described.getExecution());
    if (state == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
      RunStatus result =
          temporal
              .getOptions()
              .getDataConverter()
              .fromPayloads(
                  0,
                  Optional.of(close.getWorkflowExecutionCompletedEventAttributes().getResult()),
                  RunStatus.class,
                  RunStatus.class);
      String team = tree.path("spec").path("teamRef").path("name").asText();
      return writeResult(new RunRef(namespace, name, team, workflowId, runId), result);
    }
    String phase;
    String message;
    switch (state) {
      case WORKFLOW_EXECUTION_STATUS_TERMINATED -> {
        String reason = close.getWorkflowExecutionTerminatedEventAttributes().getReason();
        phase = Phases.FAILED;
        message = "workflow terminated: " + (reason.isBlank() ? "no reason given" : reason);
      }
      case WORKFLOW_EXECUTION_STATUS_TIMED_OUT -> {
        phase = Phases.TIMED_OUT;
        message = "workflow " + workflowId + " reached its Temporal execution timeout";
      }
      case WORKFLOW_EXECUTION_STATUS_CANCELED -> {
        phase = Phases.CANCELLED;
        message = "workflow " + workflowId + " was cancelled";
      }
      default -> {
        phase = Phases.FAILED;
        message =
            "workflow failed: "
                + close.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage();
      }
    }
    Instant closed = described.getCloseTime();
    long closedAt = closed == null ? clock.millis() : closed.toEpochMilli();
    return status.update(
        ArkRun.class,
        namespace,
        name,
        (object, current) -> closedPatch(object, current, phase, message, runId, closedAt));
  }

  private boolean writeResult(RunRef ref, RunStatus result) {
    new RunStatusActivitiesImpl(status, clock).write(ref, result);
    return true;
  }

  private ObjectNode closedPatch(
      ArkRun object, JsonNode current, String phase, String message, String runId, long closedAt) {
    ObjectNode patch = NODES.objectNode();
    patch.put("phase", phase);
    patch.put("message", message);
    patch.put("workflowRunId", runId);
    patch.put("completionTime", Times.format(closedAt));
    String started = current.path("startTime").asText("");
    if (!started.isEmpty()) {
      long millis = closedAt - Times.parse(started);
      patch.put("durationSeconds", Math.round(millis / 100.0) / 10.0);
    }
    if (current.path("steps").isArray()) {
      ArrayNode steps = patch.putArray("steps");
      for (JsonNode step : current.path("steps")) {
        ObjectNode copy = step.deepCopy();
        if (!Phases.terminal(step.path("phase").asText(Phases.PENDING))) {
          copy.put("phase", phase);
          copy.put("message", message);
        }
        steps.add(copy);
      }
    }
    long generation =
        object.getMetadata().getGeneration() == null ? 0 : object.getMetadata().getGeneration();
    patch.set(
        "conditions",
        Conditions.set(
            current.path("conditions"),
            Conditions.SUCCEEDED,
            Conditions.FALSE,
            phase,
            message,
            generation,
            clock));
    return patch;
  }

  private HistoryEvent closeEvent(WorkflowExecution execution) {
    return temporal
        .getWorkflowServiceStubs()
        .blockingStub()
        .getWorkflowExecutionHistory(
            GetWorkflowExecutionHistoryRequest.newBuilder()
                .setNamespace(temporal.getOptions().getNamespace())
                .setExecution(execution)
                .setHistoryEventFilterType(
                    HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                .build())
        .getHistory()
        .getEvents(0);
  }
}
