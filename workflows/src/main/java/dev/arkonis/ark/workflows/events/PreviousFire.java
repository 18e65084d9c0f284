package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventActivities.RunState;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireResult;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.workflow.ContinueAsNewOptions;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The latest fire of a cron event whose runs the concurrency policy watches (Forbid, Replace): a
 * child started by this run, or one handed over by the previous run through continue-as-new.
 */
final class PreviousFire {
  /** Memo key under which a run hands its running fire to the next run. */
  static final String MEMO_KEY = "ark.runningFire";

  /** How long Replace waits for a cancelled fire to finish before firing anew. */
  private static final Duration CANCEL_WAIT = Duration.ofMinutes(1);

  /** What the memo carries: the fire's workflow id and its runs. */
  record Handover(String workflowId, List<String> runs) {}

  private final String namespace;
  private final String event;
  private final Handover fire;
  private final Promise<FireResult> result; // null when handed over

  private PreviousFire(String namespace, String event, Handover fire, Promise<FireResult> result) {
    this.namespace = namespace;
    this.event = event;
    this.fire = fire;
    this.result = result;
  }

  /** A child fire this run started; {@code result} completes when it ends. */
  static PreviousFire child(
      String namespace,
      String event,
      String workflowId,
      List<String> runs,
      Promise<FireResult> result) {
    return new PreviousFire(namespace, event, new Handover(workflowId, runs), result);
  }

  /** The fire the previous run handed over, or null. */
  static PreviousFire handedOver(String namespace, String event) {
    Handover fire = Workflow.getMemo(MEMO_KEY, Handover.class, Handover.class);
    return fire == null || fire.runs() == null || fire.runs().isEmpty()
        ? null
        : new PreviousFire(namespace, event, fire, null);
  }

  /**
   * Continues the workflow as new with {@code spec}, handing {@code fire} (if not null) over in the
   * new run's memo. Without a fire the memo is left alone.
   */
  static void continueAsNew(Object spec, PreviousFire fire) {
    if (fire == null) {
      Workflow.continueAsNew(spec);
    } else {
      Workflow.continueAsNew(
          ContinueAsNewOptions.newBuilder().setMemo(Map.of(MEMO_KEY, fire.fire)).build(), spec);
    }
  }

  String workflowId() {
    return fire.workflowId();
  }

  /** True when the fire is a child of this run that has ended (its runs are no longer active). */
  boolean finished() {
    return result != null && result.isCompleted();
  }

  /** True while the fire's runs are active. */
  boolean active() {
    if (result != null) {
      return !result.isCompleted(); // it waits for its runs
    }
    return !activeRuns().isEmpty();
  }

  /**
   * Replace: cancels the fire's active runs (deleting them; their finalizer cancels the run
   * workflows) and, for a child, waits up to a minute for it to see them gone and end, as a
   * Schedule's {@code CANCEL_OTHER} waits for the cancelled fire. The fire workflow itself is not
   * cancelled: it ends normally, reporting its runs Cancelled.
   */
  void cancel() {
    List<String> runs = activeRuns();
    if (!runs.isEmpty()) {
      EventCalls.activities("cancel " + runs + " (replaced fire of " + event + ")")
          .cancelRuns(namespace, runs);
    }
    if (result != null) {
      Timers.await(CANCEL_WAIT, "wait for the cancelled previous fire", result::isCompleted);
    }
  }

  private List<String> activeRuns() {
    Map<String, RunState> states =
        EventCalls.activities("states of " + fire.runs() + " (previous fire of " + event + ")")
            .runStates(namespace, fire.runs());
    return fire.runs().stream()
        .filter(name -> states.get(name) != null && !Phases.terminal(states.get(name).phase()))
        .toList();
  }
}
