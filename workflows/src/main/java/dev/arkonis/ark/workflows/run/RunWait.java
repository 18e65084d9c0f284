package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The run loop's wait: until a step changes the run's state, or the run's {@code timeoutSeconds}
 * pass.
 *
 * <p>Since {@value #VERSION}: a run with a timeout starts one timer for it, when the loop starts; a
 * run without one starts none. Runs started before start a timer at every wake-up of the loop (the
 * deadline's remainder, or ten years without a timeout) and never cancel it, which leaves a timer
 * per step transition in the history and on the server until it would have fired.
 */
final class RunWait {
  /** {@link Workflow#getVersion} id: one timer per run. */
  static final String VERSION = "one-run-timer";

  private static final String SUMMARY = "spec.timeoutSeconds of the run";

  private final boolean oneTimer;
  private final long deadline;
  private final Promise<Void> timeout;

  RunWait(RunPlan plan) {
    oneTimer = Workflow.getVersion(VERSION, Workflow.DEFAULT_VERSION, 1) == 1;
    deadline =
        plan.timeoutSeconds() > 0 ? Workflow.currentTimeMillis() + plan.timeoutSeconds() * 1000 : 0;
    timeout =
        oneTimer && deadline > 0
            ? Timers.timer(Duration.ofSeconds(plan.timeoutSeconds()), SUMMARY)
            : null;
  }

  /**
   * Waits until {@code changed} holds or the run's timeout passed.
   *
   * @return true when the timeout passed
   * @throws CanceledFailure when the run is cancelled meanwhile
   */
  boolean timedOut(Supplier<Boolean> changed) {
    if (!oneTimer) {
      Duration wait =
          deadline == 0
              ? Duration.ofDays(3650)
              : Duration.ofMillis(Math.max(1, deadline - Workflow.currentTimeMillis()));
      String summary = deadline == 0 ? "wait for a step (no run timeout)" : SUMMARY;
      return !Timers.await(wait, summary, changed) && deadline > 0;
    }
    if (timeout == null) {
      Workflow.await(changed);
      return false;
    }
    Workflow.await(() -> timeout.isCompleted() || changed.get());
    if (CancellationScope.current().isCancelRequested()) {
      throw new CanceledFailure("run cancelled"); // the timer ended with the run's scope
    }
    return timeout.isCompleted();
  }
}
