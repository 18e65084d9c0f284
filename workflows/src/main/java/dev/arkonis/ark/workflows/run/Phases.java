package dev.arkonis.ark.workflows.run;

/** Phase names shared by runs and steps ({@code ArkRun.status.phase}, {@code steps[].phase}). */
public final class Phases {
  public static final String PENDING = "Pending";
  public static final String RUNNING = "Running";
  public static final String SUCCEEDED = "Succeeded";
  public static final String FAILED = "Failed";
  public static final String SKIPPED = "Skipped";
  public static final String TIMED_OUT = "TimedOut";
  public static final String BUDGET_EXCEEDED = "BudgetExceeded";
  public static final String CANCELLED = "Cancelled";

  private Phases() {}

  /** True for phases a step or run never leaves. */
  public static boolean terminal(String phase) {
    return !PENDING.equals(phase) && !RUNNING.equals(phase);
  }
}
