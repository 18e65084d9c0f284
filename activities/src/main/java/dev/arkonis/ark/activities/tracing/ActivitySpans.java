package dev.arkonis.ark.activities.tracing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptor;
import io.temporal.common.interceptors.ActivityInboundCallsInterceptorBase;
import java.util.List;

/**
 * One span per activity attempt, child of the span the workflow put in its header: an LLM call is
 * {@code chat <model>} with the GenAI semantic-convention attributes, a tool call {@code
 * execute_tool <tool>}. Prompt and answer text are recorded only when {@code
 * ARK_TRACE_CONTENT=true} (docs/tracing.md).
 */
final class ActivitySpans extends ActivityInboundCallsInterceptorBase {
  static final AttributeKey<List<String>> FINISH_REASONS =
      AttributeKey.stringArrayKey("gen_ai.response.finish_reasons");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Tracer tracer;
  private final boolean content;
  private ActivityExecutionContext context;

  ActivitySpans(ActivityInboundCallsInterceptor next, Tracer tracer, boolean content) {
    super(next);
    this.tracer = tracer;
    this.content = content;
  }

  @Override
  public void init(ActivityExecutionContext context) {
    this.context = context;
    super.init(context);
  }

  @Override
  public ActivityOutput execute(ActivityInput input) {
    SpanContext parent = TraceIds.parse(TraceHeader.read(input.getHeader()));
    if (parent == null) {
      return super.execute(input);
    }
    String type = context.getInfo().getActivityType();
    Object arg = input.getArguments().length > 0 ? input.getArguments()[0] : null;
    SpanBuilder builder =
        tracer
            .spanBuilder(name(type, arg))
            .setParent(Context.root().with(Span.wrap(parent)))
            .setSpanKind(arg instanceof ChatRequest ? SpanKind.CLIENT : SpanKind.INTERNAL)
            .setAttribute("temporal.activity.type", type)
            .setAttribute("temporal.activity.attempt", context.getInfo().getAttempt())
            .setAttribute("temporal.workflow.id", context.getInfo().getWorkflowId());
    if (arg instanceof ChatRequest request) {
      requestAttributes(builder, request);
    } else if (arg instanceof ToolActivities.ToolCallRequest call) {
      builder.setAttribute("gen_ai.operation.name", "execute_tool");
      builder.setAttribute("gen_ai.tool.name", call.tool());
      builder.setAttribute("ark.agent", call.agent().agent());
      if (content) {
        builder.setAttribute("gen_ai.tool.call.arguments", String.valueOf(call.arguments()));
      }
    }
    Span span = builder.startSpan();
    try (Scope ignored = span.makeCurrent()) {
      ActivityOutput output = super.execute(input);
      if (output.getResult() instanceof ChatResponse response) {
        responseAttributes(span, response);
      } else if (output.getResult() instanceof ToolActivities.ToolResult result) {
        if (result.error()) {
          span.setStatus(StatusCode.ERROR, "the tool answered with an error");
        }
        if (content) {
          span.setAttribute("gen_ai.tool.call.result", String.valueOf(result.text()));
        }
      }
      return output;
    } catch (RuntimeException | Error e) {
      span.recordException(e);
      span.setStatus(StatusCode.ERROR, String.valueOf(e.getMessage()));
      throw e;
    } finally {
      span.end();
    }
  }

  private void requestAttributes(SpanBuilder builder, ChatRequest request) {
    AgentSpec agent = request.agent();
    builder.setAttribute("gen_ai.operation.name", "chat");
    if (agent.provider() != null && !agent.provider().isBlank()) {
      // the chat activity sets the provider it resolved when the spec leaves it to ark
      builder.setAttribute("gen_ai.provider.name", agent.provider());
      builder.setAttribute("gen_ai.system", agent.provider());
    }
    builder.setAttribute("gen_ai.request.model", agent.model());
    if (agent.maxTokensPerCall() > 0) {
      builder.setAttribute("gen_ai.request.max_tokens", (long) agent.maxTokensPerCall());
    }
    if (agent.temperature() != null) {
      builder.setAttribute("gen_ai.request.temperature", agent.temperature());
    }
    builder.setAttribute("ark.step", request.step());
    builder.setAttribute("ark.purpose", request.purpose());
    builder.setAttribute("ark.agent", agent.agent());
    if (content) {
      builder.setAttribute("gen_ai.input.messages", json(request.messages()));
    }
  }

  private void responseAttributes(Span span, ChatResponse response) {
    span.setAttribute("gen_ai.usage.input_tokens", response.usage().inputTokens());
    span.setAttribute("gen_ai.usage.output_tokens", response.usage().outputTokens());
    span.setAttribute(FINISH_REASONS, List.of(finishReason(response)));
    if (content && response.text() != null) {
      span.setAttribute("gen_ai.output.messages", response.text());
    }
  }

  /** The OpenAI-style finish reason of an answer. */
  static String finishReason(ChatResponse response) {
    if (!response.toolCalls().isEmpty()) {
      return "tool_calls";
    }
    return response.cutOff() ? "length" : "stop";
  }

  private static String name(String type, Object arg) {
    if (arg instanceof ChatRequest request) {
      return "chat " + request.agent().model();
    }
    if (arg instanceof ToolActivities.ToolCallRequest call) {
      return "execute_tool " + call.tool();
    }
    return "RunActivity:" + type;
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      return String.valueOf(value);
    }
  }
}
