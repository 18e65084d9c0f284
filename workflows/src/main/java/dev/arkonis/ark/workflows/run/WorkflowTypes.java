package dev.arkonis.ark.workflows.run;

/** The workflow implementations an orchestration worker registers. */
public final class WorkflowTypes {
  /** TeamRun and the AgentTask children it starts for delegations. */
  public static final Class<?>[] ALL = {TeamRunWorkflowImpl.class, AgentTaskWorkflowImpl.class};

  private WorkflowTypes() {}
}
