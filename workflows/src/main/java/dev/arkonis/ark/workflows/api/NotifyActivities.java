package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;
import java.util.Map;

/**
 * Hands one event (a run that finished, an agent over its daily budget, a degraded agent) to the
 * ArkNotify its subject references. Runs on the orchestration queue ({@link
 * TeamRunWorkflow#TASK_QUEUE}); idempotent by {@link Notification#key()}, so a retried activity or
 * a replayed workflow never sends a message twice.
 */
@ActivityInterface
public interface NotifyActivities {
  /** A team's run succeeded. */
  String TEAM_SUCCEEDED = "TeamSucceeded";

  /** A team's run failed. */
  String TEAM_FAILED = "TeamFailed";

  /** A team's run hit its timeout. */
  String TEAM_TIMED_OUT = "TeamTimedOut";

  /** A run's token budget, or an agent's daily token budget, is used up. */
  String BUDGET_EXCEEDED = "BudgetExceeded";

  /** An agent's semantic probe fails on at least one replica. */
  String AGENT_DEGRADED = "AgentDegraded";

  /** All replicas of a degraded agent pass their semantic probe again. */
  String AGENT_RECOVERED = "AgentRecovered";

  /** Queues the notification; returns at once (delivery is durable and retried elsewhere). */
  @ActivityMethod(name = "notify")
  void notify(Notification notification);

  /**
   * One event.
   *
   * @param namespace Kubernetes namespace of the subject
   * @param subjectKind {@code ArkTeam} (run events) or {@code ArkAgent} (budget and health events)
   * @param subjectName the team (run events) or agent name; its {@code notifyRef} (for a managed
   *     agent, its owning team's) names the ArkNotify
   * @param type one of the event type constants above
   * @param key unique per event occurrence (e.g. {@code run/<ns>/<run>/TeamSucceeded}, {@code
   *     budget/<ns>/<agent>/<window start>}): the same key is delivered at most once
   * @param run the ArkRun name for run events, else null
   * @param facts values the template context is overlaid with (e.g. {@code agent.status.
   *     dailyTokensUsed}), as nested maps; never secrets
   */
  record Notification(
      String namespace,
      String subjectKind,
      String subjectName,
      String type,
      String key,
      String run,
      Map<String, Object> facts) {
    public Notification {
      facts = facts == null ? Map.of() : facts;
    }
  }
}
