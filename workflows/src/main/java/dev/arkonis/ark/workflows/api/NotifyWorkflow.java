package dev.arkonis.ark.workflows.api;

import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;
import java.util.Map;

/**
 * One long-lived workflow per ArkNotify ({@link #workflowId}), on {@link
 * TeamRunWorkflow#TASK_QUEUE}: takes events by signal (signal-with-start), delivers each key at
 * most once, applies the ArkNotify's rate limit per (subject, event type) on workflow time,
 * delivers through {@link NotifyDeliveryActivities} with retries, and keeps the ArkNotify's status
 * counters.
 */
@WorkflowInterface
public interface NotifyWorkflow {
  /** Runs until continued as new; {@code state} is {@link State#initial} on the first start. */
  @WorkflowMethod
  void run(State state);

  /** One event to deliver. */
  @SignalMethod(name = "event")
  void event(Envelope envelope);

  /** The counters as the workflow sees them now. */
  @QueryMethod(name = "counts")
  Counts counts();

  /** Workflow id of an ArkNotify's workflow: {@code arknotify/<namespace>/<name>}. */
  static String workflowId(String namespace, String name) {
    return "arknotify/" + namespace + "/" + name;
  }

  /**
   * An event and the ArkNotify's rate limit read when it was handed over.
   *
   * @param windowSeconds length of the rate-limit window; 0 = no limit
   * @param maxPerWindow messages allowed per (subject, event type) in a window
   */
  record Envelope(Notification notification, int windowSeconds, int maxPerWindow) {}

  /**
   * What the ArkNotify's status shows.
   *
   * @param lastSentAt RFC 3339 with milliseconds, or null before the first delivery
   * @param lastError the last delivery or template error, or null after a clean delivery
   * @param errorReason {@code TemplateError} or {@code DeliveryFailed} with {@code lastError}
   */
  record Counts(
      long sentCount,
      long suppressedCount,
      String lastSentAt,
      String lastError,
      String errorReason) {}

  /**
   * Carried across continue-as-new.
   *
   * @param recentKeys the most recent keys, oldest first (bounded)
   * @param sentTimes rate-limit bucket (subject kind/name/event type) → send times (epoch millis)
   * @param pending events received but not handled yet
   */
  record State(
      String namespace,
      String name,
      List<String> recentKeys,
      Map<String, List<Long>> sentTimes,
      Counts counts,
      List<Envelope> pending) {
    public State {
      recentKeys = recentKeys == null ? List.of() : recentKeys;
      sentTimes = sentTimes == null ? Map.of() : sentTimes;
      counts = counts == null ? new Counts(0, 0, null, null, null) : counts;
      pending = pending == null ? List.of() : pending;
    }

    /** The state of a new ArkNotify workflow. */
    public static State initial(String namespace, String name) {
      return new State(namespace, name, null, null, null, null);
    }
  }
}
