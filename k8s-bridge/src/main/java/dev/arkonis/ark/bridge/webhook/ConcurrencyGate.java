package dev.arkonis.ark.bridge.webhook;

import dev.arkonis.ark.workflows.run.Phases;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code spec.concurrencyPolicy} for webhook fires, holding across every operator replica. {@code
 * Allow} fires at once under a workflow id of its own. {@code Forbid} and {@code Replace} fires all
 * use the one workflow id {@link #exclusiveId} of their event and wait for their runs, so Temporal
 * itself — which runs at most one execution per workflow id, decided atomically by the server —
 * admits one fire at a time, whichever replica asks:
 *
 * <ul>
 *   <li>Forbid: a start refused because the id is running answers 409 with that fire's runs (from
 *       its memo); ArkRuns of the event still active from elsewhere (Allow fires before a policy
 *       change, an upgrade) also answer 409.
 *   <li>Replace: a start refused because the id is running cancels that execution, waits until it
 *       closed (its cancellation deletes its active runs first) and starts again; of replicas
 *       racing, each start cancels the one before it, so exactly one fire survives — the last
 *       admitted. Once started, other active ArkRuns of the event (not of an exclusive fire) are
 *       deleted.
 * </ul>
 */
final class ConcurrencyGate {
  static final String ALLOW = "Allow";
  static final String FORBID = "Forbid";
  static final String REPLACE = "Replace";

  /** Memo key of an exclusive fire: the names of the runs it creates. */
  static final String RUNS_MEMO = "runs";

  /** How long Replace keeps cancelling and restarting before it answers 503. */
  private static final Duration REPLACE_DEADLINE = Duration.ofSeconds(60);

  /** A started fire: its workflow and the names of the runs it creates. */
  interface Fired {
    String workflowId();

    List<String> runs();
  }

  /** Starts a fire under a workflow id; the server refuses a running id. */
  interface Starter<T extends Fired> {
    /**
     * @param exclusiveId the event's fixed workflow id (reuse allowed once closed, fire waits for
     *     its runs), or null for a fire with an id of its own
     * @throws WorkflowExecutionAlreadyStarted when an execution of {@code exclusiveId} runs
     */
    T start(String exclusiveId);
  }

  /** Forbid refused the fire: the runs still active. */
  static final class Busy extends Exception {
    final List<String> activeRuns;

    Busy(List<String> activeRuns) {
      super("active runs: " + activeRuns, null, false, false);
      this.activeRuns = activeRuns;
    }
  }

  /** Replace could not get the event's fire id within its deadline. */
  static final class Contended extends RuntimeException {
    Contended(String message) {
      super(message, null, false, false);
    }
  }

  private final EventStore store;
  private final WorkflowClient temporal;

  ConcurrencyGate(EventStore store, WorkflowClient temporal) {
    this.store = store;
    this.temporal = temporal;
  }

  /** True for a policy value this gate knows (null and "" mean Allow). */
  static boolean known(String policy) {
    return policy == null
        || policy.isEmpty()
        || ALLOW.equals(policy)
        || FORBID.equals(policy)
        || REPLACE.equals(policy);
  }

  /**
   * Workflow id every Forbid/Replace webhook fire of an event uses: {@code
   * arkevent/<namespace>/<event>/webhook}.
   */
  static String exclusiveId(String namespace, String event) {
    return "arkevent/" + namespace + "/" + event + "/webhook";
  }

  /**
   * Fires under {@code policy}.
   *
   * @throws Busy when the policy is Forbid and an earlier fire's runs are still active
   * @throws Contended when Replace lost every race for the fire id within its deadline
   */
  <T extends Fired> T admit(String namespace, String event, String policy, Starter<T> starter)
      throws Busy {
    if (policy == null || policy.isEmpty() || ALLOW.equals(policy)) {
      return starter.start(null);
    }
    String id = exclusiveId(namespace, event);
    if (FORBID.equals(policy)) {
      List<String> active = activeRuns(namespace, event);
      if (!active.isEmpty()) {
        throw new Busy(active);
      }
      try {
        return starter.start(id);
      } catch (WorkflowExecutionAlreadyStarted running) {
        throw new Busy(runsOf(id, running.getExecution()));
      }
    }
    long deadline = System.nanoTime() + REPLACE_DEADLINE.toNanos();
    while (true) {
      T fired;
      try {
        fired = starter.start(id);
      } catch (WorkflowExecutionAlreadyStarted running) {
        if (System.nanoTime() > deadline) {
          throw new Contended(
              "could not replace fire " + id + " within " + REPLACE_DEADLINE.toSeconds() + " s");
        }
        cancelAndWait(id, running.getExecution().getRunId(), deadline);
        continue;
      }
      // while this fire holds the id no other exclusive fire runs: what else is active is stale
      List<String> stale = activeRuns(namespace, event);
      stale.removeAll(fired.runs());
      if (!stale.isEmpty()) {
        store.deleteRuns(namespace, stale);
      }
      return fired;
    }
  }

  /** The runs a running exclusive fire creates (from its memo) plus the event's active runs. */
  private List<String> runsOf(String id, WorkflowExecution execution) {
    Set<String> runs = new LinkedHashSet<>();
    try {
      Object memo =
          temporal
              .newUntypedWorkflowStub(id, Optional.of(execution.getRunId()), Optional.empty())
              .describe()
              .getMemo(RUNS_MEMO, List.class);
      if (memo instanceof List<?> names) {
        names.forEach(n -> runs.add(String.valueOf(n)));
      }
    } catch (WorkflowNotFoundException e) {
      // closed and gone in between: its runs, if any, are labelled
    }
    if (runs.isEmpty()) {
      runs.add("(fire " + id + ")");
    }
    return List.copyOf(runs);
  }

  /** Requests cancellation of a running fire and waits until it closed (or the deadline). */
  private void cancelAndWait(String id, String runId, long deadline) {
    WorkflowStub fire = temporal.newUntypedWorkflowStub(id, Optional.of(runId), Optional.empty());
    try {
      fire.cancel();
    } catch (WorkflowNotFoundException e) {
      return; // closed in between
    }
    long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    try {
      fire.getResult(left, TimeUnit.MILLISECONDS, Object.class);
    } catch (TimeoutException e) {
      // the next start attempt answers for the deadline
    } catch (WorkflowException e) {
      // closed: cancelled, failed or not found
    }
  }

  private List<String> activeRuns(String namespace, String event) {
    List<String> active = new ArrayList<>();
    store
        .runs(namespace, event)
        .forEach(
            (name, phase) -> {
              if (active(phase)) {
                active.add(name);
              }
            });
    return active;
  }

  /** A run with no phase yet, Pending or Running. */
  static boolean active(String phase) {
    return phase == null || phase.isEmpty() || !Phases.terminal(phase);
  }
}
