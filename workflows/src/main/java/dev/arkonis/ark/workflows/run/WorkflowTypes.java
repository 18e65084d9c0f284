package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.budget.BudgetLedgerWorkflowImpl;
import dev.arkonis.ark.workflows.events.CronEventWorkflowImpl;
import dev.arkonis.ark.workflows.events.EventFireWorkflowImpl;
import dev.arkonis.ark.workflows.health.AgentHealthWorkflowImpl;
import dev.arkonis.ark.workflows.notify.NotifyWorkflowImpl;

/** The workflow implementations an orchestration worker registers. */
public final class WorkflowTypes {
  /**
   * TeamRun and the AgentTask children it starts for delegations and StepTask children for looping
   * steps; an ArkEvent's fires and the cron timer workflow used on servers without Schedules; an
   * ArkNotify's delivery loop; the agents' daily token ledgers and probe health aggregates.
   */
  public static final Class<?>[] ALL = {
    TeamRunWorkflowImpl.class,
    AgentTaskWorkflowImpl.class,
    StepTaskWorkflowImpl.class,
    EventFireWorkflowImpl.class,
    CronEventWorkflowImpl.class,
    NotifyWorkflowImpl.class,
    BudgetLedgerWorkflowImpl.class,
    AgentHealthWorkflowImpl.class
  };

  private WorkflowTypes() {}
}
