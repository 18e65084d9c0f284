package dev.arkonis.ark.cli;

import dev.arkonis.ark.activities.tracing.RunTracing;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.worker.WorkerFactoryOptions;

/**
 * The tracing interceptors of every Temporal client and worker factory the CLI builds ({@code ark
 * run}, {@code dev}, {@code operator}, {@code agent}), when the {@code OTEL_*} environment asks for
 * traces (docs/tracing.md); otherwise the options are left as they are.
 */
final class TracingOptions {
  private TracingOptions() {}

  private static RunTracing tracing() {
    return RunTracing.fromEnvironment(System.getenv(), w -> System.err.println("warning: " + w));
  }

  static WorkflowClientOptions.Builder client(WorkflowClientOptions.Builder options) {
    RunTracing tracing = tracing();
    return tracing == null ? options : options.setInterceptors(tracing.clientInterceptor());
  }

  static WorkerFactoryOptions.Builder workers(WorkerFactoryOptions.Builder options) {
    RunTracing tracing = tracing();
    return tracing == null ? options : options.setWorkerInterceptors(tracing.workerInterceptor());
  }
}
