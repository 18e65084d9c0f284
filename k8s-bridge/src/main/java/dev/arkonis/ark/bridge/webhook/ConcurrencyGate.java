package dev.arkonis.ark.bridge.webhook;

import dev.arkonis.ark.workflows.run.Phases;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code spec.concurrencyPolicy} for webhook fires. {@code Allow} fires at once. {@code Forbid} and
 * {@code Replace} look at the event's active runs — ArkRuns labelled {@code
 * arkonis.dev/event=<name>} whose phase is not terminal — and, because a fire's runs are created a
 * moment after its workflow starts, also at the fires this server started that are still running
 * (their run names are known up front). Fires of one event are admitted one at a time, so two
 * simultaneous Forbid requests never both fire.
 */
final class ConcurrencyGate {
  static final String ALLOW = "Allow";
  static final String FORBID = "Forbid";
  static final String REPLACE = "Replace";

  /** How long Replace waits for the runs of a just-started fire to appear before deleting. */
  private static final long REPLACE_WAIT_MILLIS = 5_000;

  /** A started fire: its workflow and the names of the runs it creates. */
  interface Fired {
    String workflowId();

    List<String> runs();
  }

  /** Starts a fire; called under the event's lock. */
  interface Starter<T extends Fired> {
    T start();
  }

  /** Forbid refused the fire: the runs still active. */
  static final class Busy extends Exception {
    final List<String> activeRuns;

    Busy(List<String> activeRuns) {
      super("active runs: " + activeRuns, null, false, false);
      this.activeRuns = activeRuns;
    }
  }

  private final EventStore store;
  private final WorkflowClient temporal;

  /** Per event key: fires (workflow id → run names) this server started that may still run. */
  private final Map<String, Map<String, List<String>>> inFlight = new ConcurrentHashMap<>();

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
   * Fires under {@code policy}.
   *
   * @throws Busy when the policy is Forbid and an earlier fire's runs are still active
   */
  <T extends Fired> T admit(String namespace, String event, String policy, Starter<T> starter)
      throws Busy {
    if (policy == null || policy.isEmpty() || ALLOW.equals(policy)) {
      return starter.start();
    }
    Map<String, List<String>> fires =
        inFlight.computeIfAbsent(namespace + "/" + event, k -> new LinkedHashMap<>());
    synchronized (fires) {
      pruneFinished(fires);
      if (FORBID.equals(policy)) {
        Set<String> active = new LinkedHashSet<>(activeRuns(namespace, event));
        fires.values().forEach(active::addAll);
        if (!active.isEmpty()) {
          throw new Busy(List.copyOf(active));
        }
      } else {
        replace(namespace, event, fires);
      }
      T fired = starter.start();
      fires.put(fired.workflowId(), fired.runs());
      return fired;
    }
  }

  /** Deletes the active runs and those of still-running fires (waiting briefly for them). */
  private void replace(String namespace, String event, Map<String, List<String>> fires) {
    Set<String> pending = new LinkedHashSet<>();
    fires.values().forEach(pending::addAll);
    long deadline = System.currentTimeMillis() + REPLACE_WAIT_MILLIS;
    Map<String, String> runs = store.runs(namespace, event);
    while (!runs.keySet().containsAll(pending)
        && !fires.isEmpty()
        && System.currentTimeMillis() < deadline) {
      sleep(100);
      pruneFinished(fires);
      runs = store.runs(namespace, event);
    }
    Set<String> doomed = new LinkedHashSet<>();
    runs.forEach(
        (name, phase) -> {
          if (active(phase)) {
            doomed.add(name);
          }
        });
    doomed.addAll(pending);
    if (!doomed.isEmpty()) {
      store.deleteRuns(namespace, doomed);
    }
    fires.clear();
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

  /** Forgets fires whose workflow closed: from then on their runs' labels tell. */
  private void pruneFinished(Map<String, List<String>> fires) {
    for (Iterator<String> ids = fires.keySet().iterator(); ids.hasNext(); ) {
      String id = ids.next();
      try {
        WorkflowExecutionStatus status = temporal.newUntypedWorkflowStub(id).describe().getStatus();
        if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
          ids.remove();
        }
      } catch (WorkflowNotFoundException e) {
        ids.remove();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
