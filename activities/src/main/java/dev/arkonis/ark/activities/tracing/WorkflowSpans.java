package dev.arkonis.ark.activities.tracing;

import dev.arkonis.ark.workflows.api.AgentTaskWorkflow;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.run.StepTag;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowInboundCallsInterceptorBase;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptor;
import io.temporal.common.interceptors.WorkflowOutboundCallsInterceptorBase;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.unsafe.WorkflowUnsafe;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The spans of one workflow execution: the workflow's own span ({@code ark.run} for a TeamRun,
 * {@code ark.delegation <role>} for a delegated AgentTask) and, for a TeamRun, one {@code ark.step
 * <name>} span per step; every activity and child workflow it schedules gets the context of its
 * step's span (or the workflow's) in a header.
 *
 * <p>Workflow code is replayed, so nothing here is started live: span ids are derived from the
 * workflow's id and run id, times come from {@code Workflow.currentTimeMillis()} and the steps'
 * recorded times, and the spans are recorded only when the workflow ends outside of a replay. Step
 * spans come from the run's final status.
 */
final class WorkflowSpans extends WorkflowInboundCallsInterceptorBase {
  private final Tracer tracer;
  private String traceId;
  private String parentSpanId;
  private String spanId;
  private boolean teamRun;

  WorkflowSpans(WorkflowInboundCallsInterceptor next, Tracer tracer) {
    super(next);
    this.tracer = tracer;
  }

  @Override
  public void init(WorkflowOutboundCallsInterceptor outbound) {
    super.init(new Calls(outbound));
  }

  @Override
  public WorkflowOutput execute(WorkflowInput input) {
    String workflowId = Workflow.getInfo().getWorkflowId();
    String runId = Workflow.getInfo().getRunId();
    String type = Workflow.getInfo().getWorkflowType();
    teamRun = "TeamRun".equals(type);
    SpanContext parent = TraceIds.parse(TraceHeader.read(input.getHeader()));
    traceId = parent != null ? parent.getTraceId() : TraceIds.traceId(workflowId, runId);
    parentSpanId = parent != null ? parent.getSpanId() : null;
    spanId = TraceIds.spanId("workflow", workflowId, runId);
    long start = Workflow.currentTimeMillis();
    WorkflowOutput output;
    try {
      output = super.execute(input);
    } catch (TemporalFailure failure) {
      record(input, start, null, failure);
      throw failure;
    }
    record(input, start, output.getResult(), null);
    return output;
  }

  private void record(WorkflowInput input, long start, Object result, TemporalFailure failure) {
    if (WorkflowUnsafe.isReplaying()) {
      return;
    }
    try {
      recordSpans(input, start, result, failure);
    } catch (RuntimeException e) {
      // a trace is never worth a failed workflow task
    }
  }

  private void recordSpans(
      WorkflowInput input, long start, Object result, TemporalFailure failure) {
    long end = Workflow.currentTimeMillis();
    Object arg = input.getArguments().length > 0 ? input.getArguments()[0] : null;
    SpanBuilder builder =
        tracer.spanBuilder(name(arg)).setStartTimestamp(start, TimeUnit.MILLISECONDS);
    builder.setParent(parentContext(parentSpanId));
    builder.setAttribute("temporal.workflow.id", Workflow.getInfo().getWorkflowId());
    builder.setAttribute("temporal.run.id", Workflow.getInfo().getRunId());
    builder.setAttribute("temporal.workflow.type", Workflow.getInfo().getWorkflowType());
    if (arg instanceof RunPlan plan) {
      builder.setAttribute("ark.namespace", plan.namespace());
      builder.setAttribute("ark.team", plan.team());
      builder.setAttribute("ark.run", plan.runName());
    } else if (arg instanceof AgentTaskWorkflow.AgentTaskInput task) {
      builder.setAttribute("ark.namespace", task.namespace());
      builder.setAttribute("ark.run", task.runName());
      builder.setAttribute("ark.role", task.role());
      builder.setAttribute("ark.step", task.stepName());
    }
    Span span = TraceIds.with(parentSpanId == null ? traceId : null, spanId, builder::startSpan);
    if (result instanceof RunStatus status) {
      span.setAttribute("ark.phase", status.phase());
      if (status.totalTokenUsage() != null) {
        span.setAttribute("ark.tokens.input", status.totalTokenUsage().inputTokens());
        span.setAttribute("ark.tokens.output", status.totalTokenUsage().outputTokens());
      }
      if (!"Succeeded".equals(status.phase())) {
        span.setStatus(StatusCode.ERROR, String.valueOf(status.message()));
      }
      if (teamRun) {
        recordSteps(status, end);
      }
    }
    if (failure != null) {
      span.setStatus(StatusCode.ERROR, failure.getMessage());
    }
    span.end(end, TimeUnit.MILLISECONDS);
  }

  private void recordSteps(RunStatus status, long runEnd) {
    for (StepStatus step : status.steps()) {
      if (step.startTime() == null || step.delegatedFrom() != null) {
        continue; // never started, or a delegation (the child workflow's span)
      }
      long start = Instant.parse(step.startTime()).toEpochMilli();
      long end =
          step.completionTime() == null
              ? runEnd
              : Instant.parse(step.completionTime()).toEpochMilli();
      SpanBuilder builder =
          tracer
              .spanBuilder("ark.step " + step.name())
              .setStartTimestamp(start, TimeUnit.MILLISECONDS)
              .setParent(parentContext(spanId))
              .setAttribute("ark.step", step.name())
              .setAttribute("ark.role", step.role())
              .setAttribute("ark.phase", step.phase())
              .setAttribute("ark.attempts", step.attempts());
      if (step.tokenUsage() != null) {
        builder.setAttribute("ark.tokens.input", step.tokenUsage().inputTokens());
        builder.setAttribute("ark.tokens.output", step.tokenUsage().outputTokens());
      }
      Span span = TraceIds.with(null, stepSpanId(step.name()), builder::startSpan);
      if (!"Succeeded".equals(step.phase()) && !"Skipped".equals(step.phase())) {
        span.setStatus(StatusCode.ERROR, String.valueOf(step.message()));
      }
      span.end(end, TimeUnit.MILLISECONDS);
    }
  }

  private String stepSpanId(String step) {
    return TraceIds.spanId(
        "step", Workflow.getInfo().getWorkflowId(), Workflow.getInfo().getRunId(), step);
  }

  private Context parentContext(String parent) {
    if (parent == null) {
      return Context.root();
    }
    return Context.root().with(Span.wrap(TraceIds.parse(TraceIds.traceparent(traceId, parent))));
  }

  private static String name(Object arg) {
    if (arg instanceof RunPlan) {
      return "ark.run";
    }
    if (arg instanceof AgentTaskWorkflow.AgentTaskInput task) {
      return "ark.delegation " + task.role();
    }
    return "RunWorkflow:" + Workflow.getInfo().getWorkflowType();
  }

  /** The {@code traceparent} for a call scheduled now: under its step in a TeamRun. */
  private String callParent() {
    if (traceId == null) {
      return null;
    }
    String step = teamRun ? StepTag.current() : null;
    return TraceIds.traceparent(traceId, step != null ? stepSpanId(step) : spanId);
  }

  /** Adds the trace header to the workflow's activities and child workflows. */
  private final class Calls extends WorkflowOutboundCallsInterceptorBase {
    Calls(WorkflowOutboundCallsInterceptor next) {
      super(next);
    }

    @Override
    public <R> ActivityOutput<R> executeActivity(ActivityInput<R> input) {
      String parent = callParent();
      if (parent == null) {
        return super.executeActivity(input);
      }
      return super.executeActivity(
          new ActivityInput<>(
              input.getActivityName(),
              input.getResultClass(),
              input.getResultType(),
              input.getArgs(),
              input.getOptions(),
              TraceHeader.with(input.getHeader(), parent)));
    }

    @Override
    public <R> ChildWorkflowOutput<R> executeChildWorkflow(ChildWorkflowInput<R> input) {
      String parent = callParent();
      if (parent == null) {
        return super.executeChildWorkflow(input);
      }
      return super.executeChildWorkflow(
          new ChildWorkflowInput<>(
              input.getWorkflowId(),
              input.getWorkflowType(),
              input.getResultClass(),
              input.getResultType(),
              input.getArgs(),
              input.getOptions(),
              TraceHeader.with(input.getHeader(), parent)));
    }
  }
}
