package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.events.CronEventWorkflowImpl;
import dev.arkonis.ark.workflows.events.EventFireWorkflowImpl;
import dev.arkonis.ark.workflows.health.AgentHealthWorkflowImpl;

/** The workflow implementations an orchestration worker registers. */
public final class WorkflowTypes {
  /**
   * TeamRun and the AgentTask children it starts for delegations; an ArkEvent's fires and the cron
   * timer workflow used on servers without Schedules; the per-agent probe health aggregate.
   */
  public static final Class<?>[] ALL = {
    TeamRunWorkflowImpl.class,
    AgentTaskWorkflowImpl.class,
    EventFireWorkflowImpl.class,
    CronEventWorkflowImpl.class,
    AgentHealthWorkflowImpl.class
  };

  private WorkflowTypes() {}
}
