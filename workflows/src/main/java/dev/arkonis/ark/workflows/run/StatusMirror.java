package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Writes the run's status into its ArkRun whenever it changed (every step transition and call),
 * through {@link RunStatusActivities} on the operator's queue, with outputs cut to what the ArkRun
 * keeps ({@link Payloads#forStatus}): the full outputs are in the history once, as the answers of
 * the calls. A status that cannot be written never fails the run.
 *
 * <p>Since {@code async-status-writes}: writes do not hold up the run. {@link #sync} starts a
 * writer (a workflow thread) when none is running and returns at once, so the next steps launch
 * while the status is written; the writer writes the newest status until it has caught up (changes
 * made during a write are coalesced into the next one). {@link #finish} waits for the writer and
 * writes the final status. Runs started before keep writing in line ({@link #sync} blocks).
 */
final class StatusMirror {
  private static final Logger LOG = Workflow.getLogger(StatusMirror.class);

  /** {@link Workflow#getVersion} id: status writes off the run's critical path. */
  static final String ASYNC_STATUS_WRITES = "async-status-writes";

  private final RunStatusActivities activities;
  private final RunStatusActivities.RunRef ref;
  private final boolean async;
  private int written = -1;
  private boolean writing;

  StatusMirror(RunPlan plan) {
    if (plan.statusTaskQueue() == null) {
      activities = null;
      ref = null;
      async = false;
      return;
    }
    async = Workflow.getVersion(ASYNC_STATUS_WRITES, Workflow.DEFAULT_VERSION, 1) == 1;
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

  /**
   * Writes the status when it changed since the last write: in the background (a writer that
   * catches up with every later change), or in line for runs started before {@code
   * async-status-writes}.
   */
  void sync(RunState state) {
    if (activities == null || state.version() == written) {
      return;
    }
    if (!async) {
      write(state);
      return;
    }
    if (writing) {
      return; // the running writer writes the newest status when its write returns
    }
    writing = true;
    // detached: cancelling the run does not cancel a write; the writer then writes the end too
    Workflow.newDetachedCancellationScope(
            () ->
                Async.procedure(
                    () -> {
                      try {
                        while (state.version() != written) {
                          write(state);
                        }
                      } finally {
                        writing = false;
                      }
                    }))
        .run();
  }

  /** Writes the final status: after the background writer (if any) has returned. */
  void finish(RunState state) {
    if (activities == null) {
      return;
    }
    if (async) {
      Workflow.await(() -> !writing);
    }
    if (state.version() != written) {
      write(state);
    }
  }

  private void write(RunState state) {
    written = state.version();
    try {
      activities.write(ref, Payloads.forStatus(state.snapshot()));
    } catch (ActivityFailure e) {
      LOG.warn("could not write the status of ArkRun {}: {}", ref.name(), e.getMessage());
    }
  }
}
