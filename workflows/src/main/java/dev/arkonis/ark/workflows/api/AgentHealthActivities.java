package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Writes an agent's probe health to Kubernetes; runs on {@link TeamRunWorkflow#TASK_QUEUE}. */
@ActivityInterface
public interface AgentHealthActivities {
  /** Reason of {@code Degraded=True}. */
  String PROBE_FAILING = "SemanticProbeFailing";

  /** Reason of {@code Degraded=False} while replicas report. */
  String PROBES_PASSING = "ProbesPassing";

  /** Reason of {@code Degraded=False} when no replica reports any more. */
  String NO_PROBE_RESULTS = "NoProbeResults";

  /**
   * Sets the ArkAgent's {@code Degraded} condition (the other conditions are kept) and, for a
   * transition, records a Kubernetes Event on it. Nothing happens when the agent is gone.
   */
  @ActivityMethod(name = "writeAgentHealth")
  void writeHealth(HealthChange change);

  /**
   * @param failing replicas whose last probe failed
   * @param total replicas reporting
   * @param lastAnswer the answer of a failing replica (truncated), or null
   * @param transition the Degraded status changes (an Event is recorded), else only the counts
   */
  record HealthChange(
      String namespace,
      String agent,
      boolean degraded,
      int failing,
      int total,
      String lastAnswer,
      boolean transition) {
    /** The condition's message. */
    public String message() {
      if (degraded) {
        return failing
            + " of "
            + total
            + (total == 1 ? " replica" : " replicas")
            + " failing the semantic probe; last answer: \""
            + (lastAnswer == null ? "" : lastAnswer)
            + "\"";
      }
      return total == 0
          ? "no replica reports semantic probe results"
          : "all "
              + total
              + (total == 1 ? " replica passes" : " replicas pass")
              + " the semantic probe";
    }

    public String reason() {
      return degraded ? PROBE_FAILING : total == 0 ? NO_PROBE_RESULTS : PROBES_PASSING;
    }
  }
}
