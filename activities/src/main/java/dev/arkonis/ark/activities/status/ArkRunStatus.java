package dev.arkonis.ark.activities.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.run.Times;

/**
 * Renders a workflow's {@link RunStatus} as {@code ArkRun.status}, the shape {@code kubectl get
 * arkrun -o json} shows. Outputs and tool call texts are truncated so an ArkRun stays far below
 * etcd's object limit.
 */
public final class ArkRunStatus {
  /** Largest step output kept in status, in characters. */
  public static final int MAX_STEP_OUTPUT = 4096;

  /** Largest run output kept in status, in characters. */
  public static final int MAX_RUN_OUTPUT = 16384;

  /** Longest tool call arguments or result kept in status, in characters. */
  public static final int MAX_TOOL_TEXT = 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private ArkRunStatus() {}

  public static ObjectNode toJson(RunStatus status, String workflowId, String workflowRunId) {
    ObjectNode out = JSON.createObjectNode();
    out.put("phase", status.phase());
    putIfPresent(out, "startTime", status.startTime());
    putIfPresent(out, "completionTime", status.completionTime());
    if (status.startTime() != null && status.completionTime() != null) {
      long millis = Times.parse(status.completionTime()) - Times.parse(status.startTime());
      out.put("durationSeconds", Math.round(millis / 1000.0));
    }
    putIfPresent(out, "output", truncate(status.output(), MAX_RUN_OUTPUT));
    putIfPresent(out, "message", status.message());
    putIfPresent(out, "failedStep", status.failedStep());
    out.set("totalTokenUsage", usage(status.totalTokenUsage()));
    ArrayNode steps = out.putArray("steps");
    for (StepStatus step : status.steps()) {
      ObjectNode s = steps.addObject();
      s.put("name", step.name());
      s.put("role", step.role());
      s.put("phase", step.phase());
      s.put("attempts", step.attempts());
      putIfPresent(s, "startTime", step.startTime());
      putIfPresent(s, "completionTime", step.completionTime());
      putIfPresent(s, "output", truncate(step.output(), MAX_STEP_OUTPUT));
      if (step.data() != null) {
        s.set("outputJSON", JSON.valueToTree(step.data()));
      }
      s.set("tokenUsage", usage(step.tokenUsage()));
      putIfPresent(s, "message", step.message());
      putIfPresent(s, "delegatedFrom", step.delegatedFrom());
      if (!step.toolCalls().isEmpty()) {
        ArrayNode calls = s.putArray("toolCalls");
        for (StepToolCall call : step.toolCalls()) {
          ObjectNode c = calls.addObject();
          c.put("name", call.name());
          putIfPresent(c, "arguments", truncate(call.arguments(), MAX_TOOL_TEXT));
          putIfPresent(c, "outcome", call.outcome());
          putIfPresent(c, "result", truncate(call.result(), MAX_TOOL_TEXT));
        }
      }
      if (step.route() != null) {
        putIfPresent(s, "resolvedAgent", step.route().resolvedAgent());
        putIfPresent(s, "selectedCapability", step.route().selectedCapability());
        putIfPresent(s, "routingReason", step.route().routingReason());
      }
    }
    putIfPresent(out, "workflowId", workflowId);
    putIfPresent(out, "workflowRunId", workflowRunId);
    return out;
  }

  /** Cut with the mark that names the whole length (kept from a cut the workflow made). */
  static String truncate(String text, int max) {
    return PayloadLimits.cap(text, max);
  }

  private static ObjectNode usage(TokenUsage usage) {
    TokenUsage u = usage == null ? TokenUsage.ZERO : usage;
    ObjectNode node = JSON.createObjectNode();
    node.put("inputTokens", u.inputTokens());
    node.put("outputTokens", u.outputTokens());
    node.put("totalTokens", u.totalTokens());
    return node;
  }

  private static void putIfPresent(ObjectNode node, String field, String value) {
    if (value != null) {
      node.put(field, value);
    }
  }
}
