package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventActivities;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;

/** {@link EventActivities} stubs of the event workflows: on the operator's queue, retried. */
final class EventCalls {
  private EventCalls() {}

  /**
   * A stub whose calls show {@code summary} in the Temporal UI. A cancelled workflow abandons the
   * call (reads and idempotent status writes: nothing to wait for).
   */
  static EventActivities activities(String summary) {
    return stub(summary, ActivityCancellationType.ABANDON);
  }

  /**
   * A stub for {@code createRuns}: a cancelled workflow waits for the call to end, so runs it
   * cancels afterwards cannot be created behind its back.
   */
  static EventActivities creating(String summary) {
    return stub(summary, ActivityCancellationType.WAIT_CANCELLATION_COMPLETED);
  }

  /**
   * A stub for {@code awaitRuns}: the activity fails while a run is active and its retry policy
   * polls again — 2 s first, growing by half up to every 30 s, without limit — so a long wait adds
   * no events to the fire's history. A cancelled workflow abandons the call.
   */
  static EventActivities waiting(String summary) {
    return Workflow.newActivityStub(
        EventActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(2))
                    .setBackoffCoefficient(1.5)
                    .setMaximumInterval(Duration.ofSeconds(30))
                    .setMaximumAttempts(0) // unlimited: the wait lasts as long as the runs
                    .build())
            .setCancellationType(ActivityCancellationType.ABANDON)
            .setSummary(summary)
            .build());
  }

  private static EventActivities stub(String summary, ActivityCancellationType cancellation) {
    return Workflow.newActivityStub(
        EventActivities.class,
        ActivityOptions.newBuilder()
            .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
            .setStartToCloseTimeout(Duration.ofSeconds(30))
            .setRetryOptions(
                RetryOptions.newBuilder()
                    .setInitialInterval(Duration.ofSeconds(1))
                    .setMaximumInterval(Duration.ofSeconds(30))
                    .setMaximumAttempts(10)
                    // a bad cron or time zone: retrying cannot help
                    .setDoNotRetry(IllegalArgumentException.class.getName())
                    .build())
            .setCancellationType(cancellation)
            .setSummary(summary)
            .build());
  }
}
