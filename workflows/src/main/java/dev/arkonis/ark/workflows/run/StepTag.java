package dev.arkonis.ark.workflows.run;

import io.temporal.workflow.WorkflowThreadLocal;

/**
 * The step a workflow thread is making calls for, set just before each activity or child workflow
 * of a step is scheduled. Workflow interceptors read it in the same thread (the run's trace hangs a
 * call's span under its step's span, docs/tracing.md); it changes no command.
 */
public final class StepTag {
  private static final WorkflowThreadLocal<String> CURRENT = new WorkflowThreadLocal<>();

  private StepTag() {}

  /** The step of the calls this thread schedules next, or null outside of a step. */
  public static String current() {
    return CURRENT.get();
  }

  static void set(String step) {
    CURRENT.set(step);
  }
}
