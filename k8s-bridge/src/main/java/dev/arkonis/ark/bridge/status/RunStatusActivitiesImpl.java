package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.activities.status.ArkRunStatus;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.run.Phases;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Writes a run's status into its ArkRun: the workflow calls it at every step transition on the
 * operator's queue. Idempotent (a merge patch that changes nothing is not sent); an ArkRun that is
 * gone is ignored. The workflow owns the whole status: a message from before the start (a run
 * waiting for its team) is removed, and the {@code Succeeded} condition carries the run's
 * generation. The write that moves the ArkRun into a final phase counts the run and its steps in
 * the metrics ({@link ArkMetrics#runFinished}, {@link ArkMetrics#stepFinished}): once per
 * execution, also when the activity is retried.
 */
public final class RunStatusActivitiesImpl implements RunStatusActivities {
  private final StatusWriter writer;
  private final Clock clock;
  private final ArkMetrics metrics;

  public RunStatusActivitiesImpl(StatusWriter writer, Clock clock) {
    this(writer, clock, ArkMetrics.global());
  }

  public RunStatusActivitiesImpl(StatusWriter writer, Clock clock, ArkMetrics metrics) {
    this.writer = writer;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void write(RunRef run, RunStatus status) {
    boolean[] ends = new boolean[1]; // this write moves the stored run into its final phase
    boolean written =
        writer.update(
            ArkRun.class,
            run.namespace(),
            run.name(),
            (object, current) -> {
              ends[0] =
                  Phases.terminal(status.phase())
                      && !Phases.terminal(current.path("phase").asText(Phases.PENDING));
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
    if (written && ends[0]) {
      metrics.runFinished(
          run.namespace(),
          run.team(),
          status.phase(),
          between(status.startTime(), status.completionTime()));
      for (StepStatus step : status.steps()) {
        Duration took = between(step.startTime(), step.completionTime());
        if (took != null && Phases.terminal(step.phase())) {
          metrics.stepFinished(run.namespace(), run.team(), step.role(), step.phase(), took);
        }
      }
    }
  }

  /** The time between two ISO-8601 instants, or null when one is missing or unreadable. */
  static Duration between(String start, String end) {
    if (start == null || end == null) {
      return null;
    }
    try {
      Duration took = Duration.between(Instant.parse(start), Instant.parse(end));
      return took.isNegative() ? null : took;
    } catch (DateTimeParseException e) {
      return null;
    }
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
