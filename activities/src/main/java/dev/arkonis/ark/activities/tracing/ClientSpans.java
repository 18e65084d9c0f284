package dev.arkonis.ark.activities.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptor;
import io.temporal.common.interceptors.WorkflowClientCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowClientInterceptorBase;

/**
 * Starting a workflow opens a short {@code StartWorkflow:<type>} span (child of the caller's
 * current span, if any) and hands its context to the workflow in a header: the root of a run's
 * trace.
 */
final class ClientSpans extends WorkflowClientInterceptorBase {
  private final Tracer tracer;

  ClientSpans(Tracer tracer) {
    this.tracer = tracer;
  }

  @Override
  public WorkflowClientCallsInterceptor workflowClientCallsInterceptor(
      WorkflowClientCallsInterceptor next) {
    return new WorkflowClientCallsInterceptorBase(next) {
      @Override
      public WorkflowStartOutput start(WorkflowStartInput input) {
        Span span = startSpan(input);
        try {
          return super.start(withHeader(input, span));
        } catch (RuntimeException e) {
          span.setStatus(StatusCode.ERROR, e.getMessage());
          throw e;
        } finally {
          span.end();
        }
      }

      @Override
      public WorkflowSignalWithStartOutput signalWithStart(WorkflowSignalWithStartInput input) {
        WorkflowStartInput start = input.getWorkflowStartInput();
        Span span = startSpan(start);
        try {
          return super.signalWithStart(
              new WorkflowSignalWithStartInput(
                  withHeader(start, span), input.getSignalName(), input.getSignalArguments()));
        } finally {
          span.end();
        }
      }
    };
  }

  private Span startSpan(WorkflowClientCallsInterceptor.WorkflowStartInput input) {
    return tracer
        .spanBuilder("StartWorkflow:" + input.getWorkflowType())
        .setSpanKind(SpanKind.PRODUCER)
        .setAttribute("temporal.workflow.id", input.getWorkflowId())
        .startSpan();
  }

  private static WorkflowClientCallsInterceptor.WorkflowStartInput withHeader(
      WorkflowClientCallsInterceptor.WorkflowStartInput input, Span span) {
    return new WorkflowClientCallsInterceptor.WorkflowStartInput(
        input.getWorkflowId(),
        input.getWorkflowType(),
        TraceHeader.with(
            input.getHeader(),
            TraceIds.traceparent(
                span.getSpanContext().getTraceId(), span.getSpanContext().getSpanId())),
        input.getArguments(),
        input.getOptions());
  }
}
