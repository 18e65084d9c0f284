package dev.arkonis.ark.workflows.events;

import dev.arkonis.ark.workflows.api.EventActivities;
import dev.arkonis.ark.workflows.api.EventActivities.NewRun;
import dev.arkonis.ark.workflows.api.EventActivities.RunState;
import dev.arkonis.ark.workflows.api.EventFireWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.run.Times;
import dev.arkonis.ark.workflows.timer.Timers;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;

/**
 * One fire of an ArkEvent: renders the targets' inputs against {@code .trigger}, creates all runs
 * with one activity, records the fire and, when asked, waits for the runs. A template that does not
 * render fails the fire before anything is created. Cancelled while its runs are active (a
 * Schedule's {@code CANCEL_OTHER} overlap, i.e. concurrencyPolicy Replace), it cancels them.
 */
public final class EventFireWorkflowImpl implements EventFireWorkflow {
  private static final Logger LOG = Workflow.getLogger(EventFireWorkflowImpl.class);

  /**
   * Version of the wait: {@link #POLL_BY_RETRY} waits with one {@code awaitRuns} activity whose
   * retry policy polls (no history per poll); histories from before keep the timer + {@code
   * runStates} loop.
   */
  static final String AWAIT_CHANGE = "fire-await-by-activity-retry";

  static final int POLL_BY_RETRY = 1;

  /**
   * Run states of the old loop (histories from before {@link #AWAIT_CHANGE}): every 2 s for the
   * first minute, every 10 s up to 10 minutes, then every 30 s (each poll adds ~11 events).
   */
  static Duration pollInterval(long waitedMillis) {
    if (waitedMillis < 60_000) {
      return Duration.ofSeconds(2);
    }
    return waitedMillis < 600_000 ? Duration.ofSeconds(10) : Duration.ofSeconds(30);
  }

  @Override
  public FireResult fire(FireRequest request) {
    String firedAt = Times.format(Workflow.currentTimeMillis());
    String fireId =
        request.fireId() == null || request.fireId().isBlank()
            ? Workflow.getInfo().getRunId()
            : request.fireId();
    List<NewRun> planned = FireRuns.runs(request, fireId, FireRuns.trigger(request, firedAt));
    List<String> predicted = planned.stream().map(NewRun::name).toList();
    String event = request.namespace() + "/" + request.event();
    // runs that may still be active: the ones to cancel when this fire is cancelled
    Set<String> active = new LinkedHashSet<>(predicted);
    try {
      List<String> created =
          EventCalls.creating(
                  "create " + predicted + " for ArkEvent " + event + " (fire " + fireId + ")")
              .createRuns(request.namespace(), request.event(), planned);
      // a name taken by an ArkRun that is not this fire's gets another one; histories from before
      // this answer existed have none
      List<NewRun> runs = FireRuns.renamed(planned, created);
      List<String> names = runs.stream().map(NewRun::name).toList();
      active.clear();
      active.addAll(names);
      record(request, fireId, firedAt, runs, event);
      if (!request.waitForRuns() || runs.isEmpty()) {
        return new FireResult(firedAt, names, Map.of(), Map.of());
      }
      Map<String, RunState> states = awaitRuns(request.namespace(), names, active, event);
      Map<String, String> phases = new LinkedHashMap<>();
      Map<String, String> outputs = new LinkedHashMap<>();
      for (String name : names) {
        RunState state = states.get(name);
        String phase = state == null ? Phases.CANCELLED : state.phase();
        phases.put(name, phase);
        if (Phases.SUCCEEDED.equals(phase) && state.output() != null) {
          outputs.put(name, state.output());
        }
      }
      return new FireResult(firedAt, names, phases, outputs);
    } catch (RuntimeException e) {
      if (CancellationScope.current().isCancelRequested() && !active.isEmpty()) {
        List<String> known = List.copyOf(active);
        LOG.info("fire {} of ArkEvent {} cancelled: cancelling runs of {}", fireId, event, known);
        Workflow.newDetachedCancellationScope(() -> cancelActive(request, known, event)).run();
      }
      throw e;
    }
  }

  /** Writes the fire into the event's status; a status that cannot be written fails nothing. */
  private static void record(
      FireRequest request, String fireId, String firedAt, List<NewRun> runs, String event) {
    try {
      EventCalls.activities("record fire " + fireId + " in ArkEvent " + event)
          .recordFire(
              request.namespace(),
              request.event(),
              fireId,
              firedAt,
              runs,
              FireRuns.nextFireAt(request));
    } catch (ActivityFailure e) {
      if (CancellationScope.current().isCancelRequested()) {
        throw e;
      }
      LOG.warn("could not record fire {} in ArkEvent {} status: {}", fireId, event, e.getMessage());
    }
  }

  /**
   * Cancels the runs of a cancelled fire that are still active: with the retry-polling wait the
   * workflow does not see intermediate states, so they are read first.
   */
  private static void cancelActive(FireRequest request, List<String> known, String event) {
    List<String> cancel = known;
    if (version() >= POLL_BY_RETRY) {
      Map<String, RunState> states =
          EventCalls.activities("states of " + known + " (fire of " + event + " cancelled)")
              .runStates(request.namespace(), known);
      cancel =
          known.stream()
              .filter(n -> states.get(n) != null && !Phases.terminal(states.get(n).phase()))
              .toList();
      if (cancel.isEmpty()) {
        return;
      }
    }
    List<String> runs = cancel;
    EventCalls.activities("cancel " + runs + " (fire of " + event + " cancelled)")
        .cancelRuns(request.namespace(), runs);
  }

  private static int version() {
    return Workflow.getVersion(AWAIT_CHANGE, Workflow.DEFAULT_VERSION, POLL_BY_RETRY);
  }

  /** Waits until every run is in a terminal phase; keeps {@code active} up to date. */
  private static Map<String, RunState> awaitRuns(
      String namespace, List<String> names, Set<String> active, String event) {
    if (version() >= POLL_BY_RETRY) {
      Map<String, RunState> states =
          EventCalls.waiting("wait for " + names + " to finish (" + event + ")")
              .awaitRuns(namespace, names);
      active.clear();
      return states;
    }
    EventActivities activities = EventCalls.activities("states of " + names + " (" + event + ")");
    long start = Workflow.currentTimeMillis();
    while (true) {
      Timers.sleep(
          pollInterval(Workflow.currentTimeMillis() - start), "poll the states of " + names);
      Map<String, RunState> states = activities.runStates(namespace, names);
      active.removeIf(
          name -> states.get(name) == null || Phases.terminal(states.get(name).phase()));
      if (active.isEmpty()) {
        return states;
      }
    }
  }
}
