package dev.arkonis.ark.activities.tracing;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.common.interceptors.WorkerInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * OpenTelemetry traces of runs (docs/tracing.md): the Temporal client and worker interceptors that
 * make one trace per run — {@code StartWorkflow:TeamRun} → {@code ark.run} → {@code ark.step
 * <name>} → {@code chat <model>} / {@code execute_tool <tool>} / {@code ark.delegation <role>} → …
 * — with the context carried in Temporal headers across processes.
 *
 * <p>{@link #fromEnvironment} configures the SDK from the standard {@code OTEL_*} variables (OTLP
 * over http/protobuf by default) and is off — no interceptor, no SDK — unless {@code
 * OTEL_TRACES_EXPORTER} or an OTLP endpoint is set.
 */
public final class RunTracing implements AutoCloseable {
  /** Set to {@code true} to record prompts, answers and tool arguments and results on spans. */
  public static final String CONTENT_VARIABLE = "ARK_TRACE_CONTENT";

  private static RunTracing process;
  private static boolean failed;

  private final Tracer tracer;
  private final boolean content;
  private final Runnable flush;
  private final Runnable close;

  private RunTracing(Tracer tracer, boolean content, Runnable flush, Runnable close) {
    this.tracer = tracer;
    this.content = content;
    this.flush = flush;
    this.close = close;
  }

  /**
   * Tracing on a tracer provider of the caller's (tests): the provider must use {@link
   * #idGenerator()}.
   */
  public static RunTracing of(SdkTracerProvider provider, boolean content) {
    return new RunTracing(
        provider.get("dev.arkonis.ark"),
        content,
        () -> provider.forceFlush().join(10, TimeUnit.SECONDS),
        () -> {});
  }

  /** The id generator a tracer provider given to {@link #of} must use. */
  public static io.opentelemetry.sdk.trace.IdGenerator idGenerator() {
    return TraceIds.GENERATOR;
  }

  /**
   * The process's tracing from the {@code OTEL_*} environment, or null when tracing is off (neither
   * {@code OTEL_TRACES_EXPORTER} nor {@code OTEL_EXPORTER_OTLP_ENDPOINT} / {@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} set, or {@code OTEL_SDK_DISABLED=true}) or when the SDK
   * refuses the settings (said once through {@code warn}). One SDK per process, flushed at exit.
   */
  public static synchronized RunTracing fromEnvironment(
      Map<String, String> env, Consumer<String> warn) {
    if (failed || !enabled(env)) {
      return null;
    }
    if (process == null) {
      OpenTelemetrySdk sdk;
      try {
        sdk =
            AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(
                    () ->
                        Map.of(
                            "otel.service.name", "ark",
                            "otel.exporter.otlp.protocol", "http/protobuf",
                            "otel.metrics.exporter", "none",
                            "otel.logs.exporter", "none"))
                .addTracerProviderCustomizer(
                    (builder, config) -> builder.setIdGenerator(TraceIds.GENERATOR))
                .disableShutdownHook()
                .build()
                .getOpenTelemetrySdk();
      } catch (RuntimeException e) {
        failed = true;
        warn.accept(
            "tracing is off: the OTEL_* settings were refused ("
                + rootMessage(e)
                + "); ark exports OTLP over http/protobuf (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf,"
                + " port 4318), see docs/tracing.md");
        return null;
      }
      process =
          new RunTracing(
              sdk.getTracer("dev.arkonis.ark"),
              "true".equalsIgnoreCase(env.get(CONTENT_VARIABLE)),
              () -> sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS),
              () -> sdk.shutdown().join(10, TimeUnit.SECONDS));
      RunTracing created = process;
      Runtime.getRuntime().addShutdownHook(new Thread(created::close, "ark-tracing-shutdown"));
    }
    return process;
  }

  /** True when the environment asks for traces. */
  static boolean enabled(Map<String, String> env) {
    if ("true".equalsIgnoreCase(env.get("OTEL_SDK_DISABLED"))) {
      return false;
    }
    String exporter = env.get("OTEL_TRACES_EXPORTER");
    if (exporter != null && !exporter.isBlank()) {
      return !exporter.trim().equalsIgnoreCase("none");
    }
    return notBlank(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"))
        || notBlank(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
  }

  /** The client interceptor: starting a workflow opens its trace. */
  public WorkflowClientInterceptor clientInterceptor() {
    return new ClientSpans(tracer);
  }

  /** The worker interceptor: spans of workflows and activities. */
  public WorkerInterceptor workerInterceptor() {
    return new WorkerInterceptorBase() {
      @Override
      public WorkflowInboundCallsInterceptor interceptWorkflow(
          WorkflowInboundCallsInterceptor next) {
        return new WorkflowSpans(next, tracer);
      }

      @Override
      public ActivityInboundCallsInterceptor interceptActivity(
          ActivityInboundCallsInterceptor next) {
        return new ActivitySpans(next, tracer, content);
      }
    };
  }

  /** Exports what was recorded so far. */
  public void flush() {
    flush.run();
  }

  @Override
  public void close() {
    flush();
    close.run();
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static boolean notBlank(String value) {
    return value != null && !value.isBlank();
  }
}
