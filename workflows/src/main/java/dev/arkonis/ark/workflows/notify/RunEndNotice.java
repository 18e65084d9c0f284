package dev.arkonis.ark.workflows.notify;

import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Times;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;

/**
 * The event a finished run hands to its team's ArkNotify: Succeeded → {@code TeamSucceeded}, Failed
 * → {@code TeamFailed}, TimedOut → {@code TeamTimedOut}, BudgetExceeded → {@code BudgetExceeded}; a
 * cancelled run sends nothing. Key {@code run/<ns>/<run>/<type>}; the facts are the run's final
 * status as the workflow knows it (the ArkRun may be written later or deleted).
 */
public final class RunEndNotice {
  /** Change id of TeamRun: the run's end event is handed to the team's ArkNotify. */
  public static final String VERSION = "notify-run-end";

  private static final Logger LOG = Workflow.getLogger(RunEndNotice.class);

  private RunEndNotice() {}

  /** The event type of a run's final phase, or null when the phase sends none. */
  public static String eventType(String phase) {
    return switch (phase == null ? "" : phase) {
      case "Succeeded" -> NotifyActivities.TEAM_SUCCEEDED;
      case "Failed" -> NotifyActivities.TEAM_FAILED;
      case "TimedOut" -> NotifyActivities.TEAM_TIMED_OUT;
      case "BudgetExceeded" -> NotifyActivities.BUDGET_EXCEEDED;
      default -> null;
    };
  }

  /** Hands the run's end event over when the team has an ArkNotify; never fails the run. */
  public static void send(RunPlan plan, RunStatus status) {
    String type = eventType(status.phase());
    if (plan.notifyRef() == null
        || type == null
        || Workflow.getVersion(VERSION, Workflow.DEFAULT_VERSION, 1) == Workflow.DEFAULT_VERSION) {
      return;
    }
    NotifyActivities activities =
        Workflow.newActivityStub(
            NotifyActivities.class,
            ActivityOptions.newBuilder()
                .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(
                    RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setMaximumInterval(Duration.ofMinutes(1))
                        .setMaximumAttempts(10)
                        .build())
                .setSummary(type + " to ArkNotify " + plan.namespace() + "/" + plan.notifyRef())
                .build());
    Notification notification =
        new Notification(
            plan.namespace(),
            "ArkTeam",
            plan.team(),
            type,
            "run/" + plan.namespace() + "/" + plan.runName() + "/" + type,
            plan.runName(),
            facts(plan, status));
    try {
      activities.notify(notification);
    } catch (ActivityFailure e) {
      LOG.warn("run {}: {} not handed to ArkNotify {}", plan.runName(), type, plan.notifyRef());
    }
  }

  /**
   * {@code run.status} (phase, message, failedStep, durationSeconds, totalTokenUsage), run input.
   */
  static Map<String, Object> facts(RunPlan plan, RunStatus status) {
    Map<String, Object> runStatus = new LinkedHashMap<>();
    runStatus.put("phase", status.phase());
    runStatus.put("message", status.message() == null ? "" : status.message());
    runStatus.put("failedStep", status.failedStep() == null ? "" : status.failedStep());
    if (status.startTime() != null && status.completionTime() != null) {
      long millis = Times.parse(status.completionTime()) - Times.parse(status.startTime());
      runStatus.put("durationSeconds", Math.round(millis / 100.0) / 10.0);
    }
    if (status.totalTokenUsage() != null) {
      runStatus.put(
          "totalTokenUsage",
          Map.of(
              "inputTokens", status.totalTokenUsage().inputTokens(),
              "outputTokens", status.totalTokenUsage().outputTokens(),
              "totalTokens", status.totalTokenUsage().totalTokens()));
    }
    return Map.of(
        "run",
        Map.of("name", plan.runName(), "spec", Map.of("input", plan.input()), "status", runStatus));
  }
}
