package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.status.ArkRunStatus;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.run.Phases;
import java.time.Clock;

/**
 * Writes a run's status into its ArkRun: the workflow calls it at every step transition on the
 * operator's queue. Idempotent (a merge patch that changes nothing is not sent); an ArkRun that is
 * gone is ignored. The workflow owns the whole status: a message from before the start (a run
 * waiting for its team) is removed, and the {@code Succeeded} condition carries the run's
 * generation.
 */
public final class RunStatusActivitiesImpl implements RunStatusActivities {
  private final StatusWriter writer;
  private final Clock clock;

  public RunStatusActivitiesImpl(StatusWriter writer, Clock clock) {
    this.writer = writer;
    this.clock = clock;
  }

  @Override
  public void write(RunRef run, RunStatus status) {
    writer.update(
        ArkRun.class,
        run.namespace(),
        run.name(),
        (object, current) -> {
          ObjectNode patch = ArkRunStatus.toJson(status, run.workflowId(), run.workflowRunId());
          if (status.message() == null) {
            patch.putNull("message"); // e.g. "ArkTeam ... not found" from before the start
          }
          long generation =
              object.getMetadata().getGeneration() == null
                  ? 0
                  : object.getMetadata().getGeneration();
          patch.set("conditions", succeededCondition(current, status, generation));
          return patch;
        });
  }

  private com.fasterxml.jackson.databind.node.ArrayNode succeededCondition(
      JsonNode current, RunStatus status, long generation) {
    String phase = status.phase();
    String state =
        Phases.SUCCEEDED.equals(phase)
            ? Conditions.TRUE
            : Phases.terminal(phase) ? Conditions.FALSE : Conditions.UNKNOWN;
    String message = status.message() != null ? status.message() : "run " + phase;
    return Conditions.set(
        current.path("conditions"), Conditions.SUCCEEDED, state, phase, message, generation, clock);
  }
}
