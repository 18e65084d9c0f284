package dev.arkonis.ark.workflows.api;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * The semantic-probe results of one ArkAgent's replicas, aggregated: workflow id {@code
 * arkhealth/<namespace>/<agent>} on {@link TeamRunWorkflow#TASK_QUEUE}, signal-with-started by each
 * replica after every probe. When the agent turns degraded (a replica fails) or recovers (none
 * fails, or none reports any more) it writes the ArkAgent's {@code Degraded} condition and a
 * Kubernetes Event ({@link AgentHealthActivities}) and hands {@code AgentDegraded} / {@code
 * AgentRecovered} to {@link NotifyActivities}. A replica silent for {@value #MISSED_INTERVALS} of
 * its intervals plus {@value #PROBE_CALL_SECONDS} s is dropped; the workflow ends when no replica
 * is left.
 */
@WorkflowInterface
public interface AgentHealthWorkflow {
  /** Intervals a replica may miss before it no longer counts. */
  int MISSED_INTERVALS = 3;

  /** Added to that: how long one probe's model call may take (its timeout). */
  int PROBE_CALL_SECONDS = 30;

  /** Longest probe answer kept (replicas truncate before they report). */
  int ANSWER_CHARS = 200;

  static String workflowId(String namespace, String agent) {
    return "arkhealth/" + namespace + "/" + agent;
  }

  @WorkflowMethod(name = "AgentHealth")
  void watch(State state);

  /** One replica's probe result. */
  @SignalMethod(name = "probeResult")
  void report(ProbeResult result);

  @QueryMethod(name = "health")
  State health();

  /**
   * @param replica the replica's id (its pod name)
   * @param answer the model's answer or the error, truncated to {@value #ANSWER_CHARS} characters
   */
  record ProbeResult(
      String namespace,
      String agent,
      String replica,
      boolean healthy,
      String answer,
      int intervalSeconds) {}

  /** A replica's last result, and when it arrived (workflow time). */
  record Replica(
      String replica, boolean healthy, String answer, int intervalSeconds, long seenAtMillis) {}

  /**
   * What the workflow knows; carried over continue-as-new.
   *
   * @param degraded the Degraded status last written (null: none written yet)
   * @param failing failing replicas in the condition last written
   * @param total replicas in the condition last written
   */
  record State(
      String namespace,
      String agent,
      List<Replica> replicas,
      Boolean degraded,
      int failing,
      int total) {
    public State {
      replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    public static State start(String namespace, String agent) {
      return new State(namespace, agent, List.of(), null, 0, 0);
    }
  }
}
