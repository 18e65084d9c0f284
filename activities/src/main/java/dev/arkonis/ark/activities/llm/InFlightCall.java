package dev.arkonis.ark.activities.llm;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Runs a blocking model call inside an activity while the activity heartbeats, so that Temporal
 * notices a dead worker and a cancelled run (a deleted ArkRun cancels its workflow, which cancels
 * its activities) reaches the call: the heartbeat then throws, the call's thread is interrupted
 * (which aborts the HTTP exchange of the JDK client and the mock model's wait) and the activity
 * ends with the cancellation. Outside an activity (direct calls in tests, the CLI's helpers) the
 * call simply runs.
 */
final class InFlightCall {
  /**
   * How often the waiting activity heartbeats; the SDK sends at most one heartbeat per 80% of the
   * heartbeat timeout (10 s for chat calls), so a cancellation reaches the call within about 10 s.
   */
  static final Duration HEARTBEAT_EVERY = Duration.ofSeconds(2);

  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final ExecutorService CALLS =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "ark-model-call-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
          });

  private InFlightCall() {}

  /**
   * The call's result; its RuntimeException as is.
   *
   * @throws ActivityCompletionException when the activity was cancelled (or timed out) meanwhile
   */
  static <T> T run(Supplier<T> call) {
    return run(call, context(), HEARTBEAT_EVERY);
  }

  static <T> T run(Supplier<T> call, ActivityExecutionContext context, Duration every) {
    if (context == null) {
      return call.get();
    }
    Future<T> future = CALLS.submit(call::get);
    try {
      while (true) {
        try {
          return future.get(every.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException stillRunning) {
          context.heartbeat(null); // throws once the activity is cancelled
        }
      }
    } catch (ActivityCompletionException cancelled) {
      future.cancel(true);
      throw cancelled;
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for the model");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (e.getCause() instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  private static ActivityExecutionContext context() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException e) {
      return null;
    }
  }
}
