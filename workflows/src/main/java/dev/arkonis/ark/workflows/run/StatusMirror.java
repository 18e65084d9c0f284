package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Writes the run's status into its ArkRun whenever it changed (every step transition and call),
 * through {@link RunStatusActivities} on the operator's queue, with outputs cut to what the ArkRun
 * keeps ({@link Payloads#forStatus}): the full outputs are in the history once, as the answers of
 * the calls. A status that cannot be written never fails the run.
 */
final class StatusMirror {
  private static final Logger LOG = Workflow.getLogger(StatusMirror.class);

  private final RunStatusActivities activities;
  private final RunStatusActivities.RunRef ref;
  private int written = -1;

  StatusMirror(RunPlan plan) {
    if (plan.statusTaskQueue() == null) {
      activities = null;
      ref = null;
      return;
    }
    activities =
        Workflow.newActivityStub(
            RunStatusActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(plan.statusTaskQueue())
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofSeconds(20))
                        .setMaximumAttempts(5)
                        .build())
                .setSummary("status of ArkRun " + plan.namespace() + "/" + plan.runName())
                .build());
    ref =
        new RunStatusActivities.RunRef(
            plan.namespace(),
            plan.runName(),
            plan.team(),
            Workflow.getInfo().getWorkflowId(),
            Workflow.getInfo().getRunId());
  }

  /** Writes the status when it changed since the last write. */
  void sync(RunState state) {
    if (activities == null || state.version() == written) {
      return;
    }
    written = state.version();
    try {
      activities.write(ref, Payloads.forStatus(state.snapshot()));
    } catch (ActivityFailure e) {
      LOG.warn("could not write the status of ArkRun {}: {}", ref.name(), e.getMessage());
    }
  }
}
