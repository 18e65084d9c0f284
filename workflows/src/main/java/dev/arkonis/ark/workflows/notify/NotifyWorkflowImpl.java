package dev.arkonis.ark.workflows.notify;

import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.NotifyDeliveryActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Times;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import org.slf4j.Logger;

/**
 * An ArkNotify's delivery loop: events arrive by signal; a key already seen is dropped (at most one
 * message per event), an event over the rate limit is counted as suppressed, every other one is
 * delivered by its own retried activity (a failing channel delays no other message). The counters
 * are written to the ArkNotify's status at most every {@link #STATUS_DEBOUNCE}. Continues as new
 * after {@link #EVENTS_PER_RUN} events or when Temporal suggests it, carrying keys, rate windows,
 * counters and unhandled events.
 */
public final class NotifyWorkflowImpl implements NotifyWorkflow {
  /** Events handled by one run before it continues as new. */
  static final int EVENTS_PER_RUN = 500;

  /** Least time between two status writes. */
  static final Duration STATUS_DEBOUNCE = Duration.ofSeconds(2);

  /** Delivery retries: about two hours of backoff before a message is given up. */
  static final RetryOptions DELIVERY_RETRIES =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2)
          .setMaximumInterval(Duration.ofMinutes(10))
          .setMaximumAttempts(20)
          .build();

  private static final Logger LOG = Workflow.getLogger(NotifyWorkflowImpl.class);

  private final Deque<Envelope> queue = new ArrayDeque<>();
  private final NotifyDeliveryActivities status =
      Workflow.newActivityStub(
          NotifyDeliveryActivities.class,
          ActivityOptions.newBuilder()
              .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(
                  RetryOptions.newBuilder()
                      .setInitialInterval(Duration.ofSeconds(1))
                      .setMaximumInterval(Duration.ofSeconds(30))
                      .setMaximumAttempts(10)
                      .build())
              .setSummary("write the ArkNotify status")
              .build());

  private String namespace;
  private String name;
  private RecentKeys keys;
  private RateWindows windows;
  private long sent;
  private long suppressed;
  private String lastSentAt;
  private String lastError;
  private String errorReason;
  private int inFlight;
  private int handled;
  private boolean dirty;

  @Override
  public void run(State state) {
    namespace = state.namespace();
    name = state.name();
    keys = new RecentKeys(state.recentKeys(), RecentKeys.LIMIT);
    windows = new RateWindows(state.sentTimes());
    Counts counts = state.counts();
    sent = counts.sentCount();
    suppressed = counts.suppressedCount();
    lastSentAt = counts.lastSentAt();
    lastError = counts.lastError();
    errorReason = counts.errorReason();
    queue.addAll(state.pending());
    while (true) {
      Workflow.await(() -> !queue.isEmpty() || dirty);
      while (!queue.isEmpty()) {
        handle(queue.poll());
      }
      if (dirty) {
        Timers.sleep(STATUS_DEBOUNCE, "debounce the ArkNotify status write");
        dirty = false;
        try {
          status.writeStatus(namespace, name, counts());
        } catch (ActivityFailure e) {
          LOG.warn("ArkNotify {}/{}: status not written: {}", namespace, name, reason(e));
        }
      }
      // events that arrived meanwhile are carried over as pending; deliveries are awaited
      boolean settled = !dirty && inFlight == 0;
      if (settled && (handled >= EVENTS_PER_RUN || Workflow.getInfo().isContinueAsNewSuggested())) {
        Workflow.continueAsNew(
            new State(
                namespace,
                name,
                keys.snapshot(),
                windows.snapshot(),
                counts(),
                new ArrayList<>(queue)));
      }
    }
  }

  @Override
  public void event(Envelope envelope) {
    queue.add(envelope);
  }

  @Override
  public Counts counts() {
    return new Counts(sent, suppressed, lastSentAt, lastError, errorReason);
  }

  private void handle(Envelope envelope) {
    handled++;
    Notification n = envelope.notification();
    if (!keys.add(n.key())) {
      return; // delivered (or suppressed) before: at most one message per event
    }
    String bucket = RateWindows.bucket(n.subjectKind(), n.subjectName(), n.type());
    if (!windows.allow(
        bucket, Workflow.currentTimeMillis(), envelope.windowSeconds(), envelope.maxPerWindow())) {
      suppressed++;
      dirty = true;
      return;
    }
    inFlight++;
    NotifyDeliveryActivities delivery =
        Workflow.newActivityStub(
            NotifyDeliveryActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(DELIVERY_RETRIES)
                .setSummary(n.type() + " of " + n.subjectKind() + " " + n.subjectName())
                .build());
    Async.function(delivery::deliver, namespace, name, n)
        .handle(
            (templateError, failure) -> {
              inFlight--;
              if (failure != null) {
                lastError = n.type() + " (" + n.key() + ") not delivered: " + reason(failure);
                errorReason = "DeliveryFailed";
              } else {
                sent++;
                lastSentAt = Times.format(Workflow.currentTimeMillis());
                lastError = templateError;
                errorReason = templateError == null ? null : "TemplateError";
              }
              dirty = true;
              return null;
            });
  }

  /** The activity's own message (never a URL: the activities leave them out). */
  private static String reason(Exception failure) {
    Throwable cause =
        failure instanceof ActivityFailure && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (cause instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    return cause.getMessage();
  }
}
