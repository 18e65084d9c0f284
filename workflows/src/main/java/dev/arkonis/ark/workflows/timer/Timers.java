package dev.arkonis.ark.workflows.timer;

import io.temporal.workflow.Promise;
import io.temporal.workflow.TimerOptions;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Durable timers with a summary, shown on the timer in the Temporal Web UI ({@code user_metadata}
 * of the StartTimer command: metadata, not part of the command sequence).
 *
 * <p>{@link #await(Duration, String, Supplier)} issues the same commands as the SDK's {@code
 * Workflow.await(Duration, Supplier)} (1.35, whose {@code CANCEL_AWAIT_TIMER_ON_CONDITION} flag is
 * not on by default): one timer, started even when the condition already holds and never cancelled.
 * The replay tests over the recorded histories hold it to that.
 */
public final class Timers {
  private Timers() {}

  /** Sleeps for {@code duration} on a timer named {@code summary}. */
  public static void sleep(Duration duration, String summary) {
    timer(duration, summary).get();
  }

  /** A timer named {@code summary}. */
  public static Promise<Void> timer(Duration duration, String summary) {
    return Workflow.newTimer(duration, TimerOptions.newBuilder().setSummary(summary).build());
  }

  /**
   * Waits until {@code condition} holds or {@code timeout} passed, on a timer named {@code
   * summary}; true when the condition holds.
   */
  public static boolean await(Duration timeout, String summary, Supplier<Boolean> condition) {
    Promise<Void> timer = timer(timeout, summary);
    Workflow.await(() -> timer.isCompleted() || condition.get());
    return !timer.isCompleted();
  }
}
