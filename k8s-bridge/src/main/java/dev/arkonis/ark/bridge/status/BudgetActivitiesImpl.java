package dev.arkonis.ark.bridge.status;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.workflows.api.BudgetActivities;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The operator's side of the daily token ledgers: writes {@code status.dailyTokenUsage}, {@code
 * status.budgetResetsAt} and the {@code BudgetExceeded} condition of the ArkAgent (other conditions
 * kept), and on a transition a Warning ({@code DailyBudgetExceeded}) or Normal ({@code
 * WithinBudget}) Event. {@code ArkAgentReconciler} scales the agent's Deployment to 0 while the
 * condition is True. An agent that is gone is ignored. Each report sets the agent's daily budget
 * gauges ({@link ArkMetrics#dailyBudget}).
 */
public final class BudgetActivitiesImpl implements BudgetActivities {
  /** BudgetExceeded=True reason. */
  public static final String DAILY_BUDGET_EXCEEDED = "DailyBudgetExceeded";

  /** BudgetExceeded=False reason. */
  public static final String WITHIN_BUDGET = "WithinBudget";

  private final KubernetesClient client;
  private final StatusWriter writer;
  private final EventRecorder events;
  private final Clock clock;
  private final ArkMetrics metrics;

  public BudgetActivitiesImpl(KubernetesClient client, EventRecorder events, Clock clock) {
    this(client, events, clock, ArkMetrics.global());
  }

  public BudgetActivitiesImpl(
      KubernetesClient client, EventRecorder events, Clock clock, ArkMetrics metrics) {
    this.client = client;
    this.writer = new StatusWriter(client);
    this.events = events;
    this.clock = clock;
    this.metrics = metrics;
  }

  @Override
  public void report(BudgetReport report) {
    metrics.dailyBudget(report.namespace(), report.agent(), report.totalTokens(), report.limit());
    String reason = report.exceeded() ? DAILY_BUDGET_EXCEEDED : WITHIN_BUDGET;
    boolean written =
        writer.update(
            ArkAgent.class,
            report.namespace(),
            report.agent(),
            (agent, current) -> {
              ObjectNode patch = JsonNodeFactory.instance.objectNode();
              ObjectNode usage = patch.putObject("dailyTokenUsage");
              usage.put("inputTokens", report.inputTokens());
              usage.put("outputTokens", report.outputTokens());
              usage.put("totalTokens", report.totalTokens());
              if (report.resetsAtMillis() > 0) {
                patch.put(
                    "budgetResetsAt",
                    Instant.ofEpochMilli(report.resetsAtMillis())
                        .truncatedTo(ChronoUnit.SECONDS)
                        .toString());
              } else {
                patch.putNull("budgetResetsAt");
              }
              long generation =
                  agent.getMetadata().getGeneration() == null
                      ? 0
                      : agent.getMetadata().getGeneration();
              patch.set(
                  "conditions",
                  Conditions.set(
                      current.path("conditions"),
                      Conditions.BUDGET_EXCEEDED,
                      report.exceeded() ? Conditions.TRUE : Conditions.FALSE,
                      reason,
                      report.message(),
                      generation,
                      clock));
              return patch;
            });
    if (!written && report.transition().isEmpty()) {
      return;
    }
    ArkAgent agent =
        client
            .resources(ArkAgent.class)
            .inNamespace(report.namespace())
            .withName(report.agent())
            .get();
    if (agent == null) {
      return;
    }
    if (EXCEEDED.equals(report.transition())) {
      events.warning(agent, reason, report.message());
    } else if (RESET.equals(report.transition())) {
      events.normal(agent, reason, report.message());
    }
  }
}
