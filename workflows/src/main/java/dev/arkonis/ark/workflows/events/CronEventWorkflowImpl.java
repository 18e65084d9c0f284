package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.CronEventWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireRequest;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireResult;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.Target;
import dev.arkonis.ark.workflows.run.Times;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.api.enums.v1.ParentClosePolicy;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;

/**
 * A cron ArkEvent on a server without Schedules: sleeps until the cron's next instant (computed by
 * the {@code nextFireTime} activity, so all clock arithmetic is in history), then starts an {@link
 * EventFireWorkflow} child, applying the concurrency policy to the previous fire. An {@code update}
 * signal takes effect at once. Continues as new about every {@value #INSTANTS_PER_RUN} instants.
 */
public final class CronEventWorkflowImpl implements CronEventWorkflow {
  private static final Logger LOG = Workflow.getLogger(CronEventWorkflowImpl.class);
  static final int INSTANTS_PER_RUN = 100;
  private static final Duration RETRY_NEXT_FIRE_TIME = Duration.ofMinutes(1);

  private CronSpec spec;
  private boolean specChanged;
  private Duration retryIn;
  private PreviousFire previous; // the fire Forbid and Replace watch
  private int instants;

  @Override
  public void run(CronSpec initial) {
    if (spec == null) { // an update may have come with the start
      spec = initial;
    }
    String event = initial.namespace() + "/" + initial.event();
    previous = PreviousFire.handedOver(initial.namespace(), initial.event());
    long next = -1;
    while (true) {
      if (continueAsNewNow()) {
        PreviousFire.continueAsNew(spec, previous);
      }
      if (specChanged) {
        specChanged = false;
        next = -1;
      }
      if (spec.suspended()) {
        Workflow.await(() -> specChanged);
        continue;
      }
      long now = Workflow.currentTimeMillis();
      if (next < 0) {
        next = nextFireTime(now, event);
        if (next < 0) {
          if (retryIn == null) {
            Workflow.await(() -> specChanged); // invalid cron or zone
          } else {
            Timers.await(retryIn, "retry the cron schedule of " + event, () -> specChanged);
          }
          continue;
        }
      }
      boolean due = instants >= INSTANTS_PER_RUN;
      if (next > now
          && Timers.await(
              Duration.ofMillis(next - now),
              "next cron fire of ArkEvent " + event + " at " + Times.format(next),
              () -> specChanged || (due && previous != null && previous.finished()))) {
        continue; // a changed spec, or the moment to continue as new
      }
      if (specChanged) {
        continue;
      }
      // the following instant, after a late wake-up counted from now: missed instants are skipped
      long following = nextFireTime(Math.max(next, Workflow.currentTimeMillis()), event);
      previous = fire(next, following, event);
      instants++;
      next = following;
    }
  }

  /**
   * After {@value #INSTANTS_PER_RUN} instants (fired or skipped), or when the server suggests it,
   * once no watched fire is running, so the next run starts clean; a fire still running after twice
   * as many instants is handed over in the memo (the in-process test server drops it, which costs
   * one overlapping fire there).
   */
  private boolean continueAsNewNow() {
    if (previous != null && previous.finished()) {
      previous = null;
    }
    boolean due = instants >= INSTANTS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested();
    return due && (previous == null || instants >= 2 * INSTANTS_PER_RUN);
  }

  @Override
  public void update(CronSpec spec) {
    this.spec = spec;
    this.specChanged = true;
  }

  /**
   * The next instant after {@code after}, or -1 when the activity failed; then {@link #retryIn} is
   * null for an invalid cron or zone (only a spec change helps), else when to try again.
   */
  private long nextFireTime(long after, String event) {
    try {
      return EventCalls.activities("next fire time of ArkEvent " + event)
          .nextFireTime(spec.cron(), spec.timezone(), after);
    } catch (ActivityFailure e) {
      if (e.getCause() instanceof ApplicationFailure failure
          && (failure.isNonRetryable()
              || IllegalArgumentException.class.getName().equals(failure.getType()))) {
        LOG.warn("ArkEvent {}: {}; waiting for a spec change", event, failure.getOriginalMessage());
        retryIn = null;
      } else {
        LOG.warn("ArkEvent {}: next fire time failed, retrying: {}", event, e.getMessage());
        retryIn = RETRY_NEXT_FIRE_TIME;
      }
      return -1;
    }
  }

  /**
   * Fires for the instant {@code at} under the concurrency policy; returns the fire the policy
   * watches next time.
   */
  private PreviousFire fire(long at, long following, String event) {
    String policy = spec.concurrencyPolicy() == null ? "Allow" : spec.concurrencyPolicy();
    boolean watch = policy.equals("Forbid") || policy.equals("Replace");
    if (!policy.equals("Allow") && !watch) {
      LOG.warn("ArkEvent {}: unknown concurrencyPolicy '{}', firing as Allow", event, policy);
    }
    if (watch && previous != null && previous.active()) {
      if (policy.equals("Forbid")) {
        LOG.info(
            "ArkEvent {}: skipping {}: fire {} still running (Forbid)",
            event,
            Times.format(at),
            previous.workflowId());
        return previous;
      }
      LOG.info("ArkEvent {}: replacing fire {}", event, previous.workflowId());
      previous.cancel();
    }
    String fireId = "cron-" + at;
    String workflowId = EventFireWorkflow.workflowId(spec.namespace(), spec.event(), fireId);
    FireRequest request =
        new FireRequest(
            spec.namespace(),
            spec.event(),
            following < 0 ? Map.of() : Map.of(FireRuns.NEXT_FIRE_AT, Times.format(following)),
            targets(),
            watch,
            fireId);
    EventFireWorkflow child =
        Workflow.newChildWorkflowStub(
            EventFireWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setParentClosePolicy(ParentClosePolicy.PARENT_CLOSE_POLICY_ABANDON)
                .setStaticSummary("cron fire of ArkEvent " + event + " for " + Times.format(at))
                .build());
    List<Promise<FireResult>> started = new ArrayList<>(1);
    // detached: cancelling this workflow (ArkEvent deleted) leaves running fires alone, as
    // deleting a Schedule does; Replace cancels the fire's runs, not the fire
    CancellationScope scope =
        Workflow.newDetachedCancellationScope(
            () -> started.add(Async.function(child::fire, request)));
    scope.run();
    Promise<FireResult> result = started.get(0);
    try {
      Workflow.getWorkflowExecution(child).get();
    } catch (TemporalFailure e) {
      LOG.warn("ArkEvent {}: could not start fire {}: {}", event, workflowId, e.getMessage());
      return watch ? null : previous;
    }
    result.handle(
        (r, failure) -> {
          if (failure instanceof ChildWorkflowFailure ended
              && ended.getCause() instanceof CanceledFailure) {
            LOG.info("ArkEvent {}: fire {} cancelled", event, workflowId);
          } else if (failure != null) {
            LOG.warn("ArkEvent {}: fire {} failed: {}", event, workflowId, failure.getMessage());
          }
          return null;
        });
    if (!watch) {
      return null;
    }
    List<String> runs = new ArrayList<>();
    List<Target> targets = targets();
    for (int i = 0; i < targets.size(); i++) {
      runs.add(EventFireWorkflow.runName(targets.get(i).team(), fireId, i));
    }
    return PreviousFire.child(spec.namespace(), event, workflowId, runs, result);
  }

  private List<Target> targets() {
    return spec.targets() == null ? List.of() : spec.targets();
  }
}
