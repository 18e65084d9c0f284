package dev.arkonis.ark.bridge.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A run's per-step detail read from its Temporal history through the SDK, so nothing is stored
 * twice: for every {@code chat} activity (also in the {@code AgentTask} child workflows of
 * delegations) the step, purpose, times, attempt, tokens, answer and failure; per step the rendered
 * prompt (the first user message of its first task turn), the tool calls with their arguments and
 * results (the results are the {@code tool} messages of the step's later turns), and the
 * delegations (calls of the built-in {@code delegate} tool).
 */
final class RunHistory {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Child workflows followed, at most (delegations nest; a run has few). */
  static final int MAX_WORKFLOWS = 50;

  /** Text fields are cut to this many characters (the UI is not an archive). */
  static final int MAX_TEXT = 64 * 1024;

  static final String DELEGATE_TOOL = "delegate";

  private final WorkflowClient temporal;

  RunHistory(WorkflowClient temporal) {
    this.temporal = temporal;
  }

  /**
   * {@code {workflowId, steps: {<step>: {prompt, calls[], toolCalls[], delegations[]}}}}.
   *
   * @throws io.temporal.client.WorkflowNotFoundException when the workflow does not exist
   */
  ObjectNode read(String workflowId) {
    ObjectNode out = JSON.createObjectNode();
    out.put("workflowId", workflowId);
    ObjectNode steps = out.putObject("steps");
    DataConverter converter = temporal.getOptions().getDataConverter();
    List<String> pending = new java.util.ArrayList<>(List.of(workflowId));
    int read = 0;
    while (!pending.isEmpty() && read < MAX_WORKFLOWS) {
      String id = pending.remove(0);
      WorkflowExecutionHistory history = temporal.fetchHistory(id);
      if (read == 0) {
        out.put("runId", history.getWorkflowExecution().getRunId());
      }
      read++;
      collect(history.getEvents(), converter, steps, pending);
    }
    steps.fields().forEachRemaining(e -> finish((ObjectNode) e.getValue()));
    return out;
  }

  private static void collect(
      List<HistoryEvent> events, DataConverter converter, ObjectNode steps, List<String> children) {
    Map<Long, ObjectNode> calls = new HashMap<>();
    Map<Long, Long> started = new HashMap<>();
    for (HistoryEvent event : events) {
      long id = event.getEventId();
      Instant time =
          Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
      if (event.hasActivityTaskScheduledEventAttributes()) {
        var a = event.getActivityTaskScheduledEventAttributes();
        if (!"chat".equals(a.getActivityType().getName())) {
          continue;
        }
        ChatRequest request = decode(converter, a.getInput(), ChatRequest.class);
        if (request == null || request.step() == null) {
          continue;
        }
        ObjectNode step = step(steps, request.step(), request.agent().role());
        ObjectNode call = ((ArrayNode) step.get("calls")).addObject();
        call.put("purpose", request.purpose());
        call.put("scheduledTime", time.toString());
        call.put("model", request.agent().model());
        call.set("request", JSON.valueToTree(request.messages()));
        if (!step.has("prompt") && "task".equals(request.purpose())) {
          request.messages().stream()
              .filter(m -> "user".equals(m.type()))
              .findFirst()
              .ifPresent(m -> step.put("prompt", cut(m.text())));
          step.put("systemPrompt", cut(request.agent().systemPrompt()));
        }
        calls.put(id, call);
      } else if (event.hasActivityTaskStartedEventAttributes()) {
        var a = event.getActivityTaskStartedEventAttributes();
        started.put(a.getScheduledEventId(), (long) a.getAttempt());
      } else if (event.hasActivityTaskCompletedEventAttributes()) {
        var a = event.getActivityTaskCompletedEventAttributes();
        ObjectNode call = calls.get(a.getScheduledEventId());
        if (call != null) {
          ChatResponse response = decode(converter, a.getResult(), ChatResponse.class);
          call.put("completedTime", time.toString());
          call.put("attempt", started.getOrDefault(a.getScheduledEventId(), 1L));
          if (response != null) {
            call.put("text", cut(response.text()));
            call.set("toolCalls", JSON.valueToTree(response.toolCalls()));
            call.set("usage", JSON.valueToTree(response.usage()));
          }
        }
      } else if (event.hasActivityTaskFailedEventAttributes()) {
        var a = event.getActivityTaskFailedEventAttributes();
        ObjectNode call = calls.get(a.getScheduledEventId());
        if (call != null) {
          call.put("completedTime", time.toString());
          call.put("attempt", started.getOrDefault(a.getScheduledEventId(), 1L));
          call.put("failure", cut(a.getFailure().getMessage()));
        }
      } else if (event.hasActivityTaskTimedOutEventAttributes()) {
        var a = event.getActivityTaskTimedOutEventAttributes();
        ObjectNode call = calls.get(a.getScheduledEventId());
        if (call != null) {
          call.put("completedTime", time.toString());
          call.put("failure", "timed out: " + cut(a.getFailure().getMessage()));
        }
      } else if (event.hasChildWorkflowExecutionStartedEventAttributes()) {
        children.add(
            event
                .getChildWorkflowExecutionStartedEventAttributes()
                .getWorkflowExecution()
                .getWorkflowId());
      }
    }
  }

  /**
   * From the step's turns: every tool call the model made (name, arguments) with its result (the
   * {@code tool} message answering it in a later turn), and the delegations among them.
   */
  private static void finish(ObjectNode step) {
    Map<String, ObjectNode> byId = new LinkedHashMap<>();
    ArrayNode toolCalls = step.putArray("toolCalls");
    ArrayNode delegations = step.putArray("delegations");
    for (var call : step.get("calls")) {
      for (var message : call.path("request")) {
        if ("tool".equals(message.path("type").asText())) {
          ObjectNode known = byId.get(message.path("toolCallId").asText());
          if (known != null && !known.has("result")) {
            known.put("result", cut(message.path("text").asText()));
          }
        }
      }
      for (var toolCall : call.path("toolCalls")) {
        String id = toolCall.path("id").asText();
        if (byId.containsKey(id)) {
          continue;
        }
        ObjectNode entry = JSON.createObjectNode();
        entry.put("id", id);
        entry.put("name", toolCall.path("name").asText());
        entry.put("arguments", cut(toolCall.path("arguments").asText()));
        if (!toolCall.path("invalidArguments").isNull()
            && !toolCall.path("invalidArguments").isMissingNode()) {
          entry.put("invalidArguments", toolCall.path("invalidArguments").asText());
        }
        byId.put(id, entry);
        (DELEGATE_TOOL.equals(entry.get("name").asText()) ? delegations : toolCalls).add(entry);
      }
    }
    // the conversation is shown through prompt, answers and tool calls: not sent twice
    for (var call : step.get("calls")) {
      ((ObjectNode) call).remove("request");
    }
  }

  private static ObjectNode step(ObjectNode steps, String name, String role) {
    ObjectNode step = (ObjectNode) steps.get(name);
    if (step == null) {
      step = steps.putObject(name);
      step.put("role", role);
      step.putArray("calls");
    }
    return step;
  }

  private static <T> T decode(DataConverter converter, Payloads payloads, Class<T> type) {
    try {
      return converter.fromPayloads(0, Optional.of(payloads), type, type);
    } catch (DataConverterException | IllegalArgumentException e) {
      return null; // another shape (an older version): shown without it
    }
  }

  static String cut(String text) {
    if (text == null || text.length() <= MAX_TEXT) {
      return text;
    }
    return text.substring(0, MAX_TEXT) + "\n… (cut: " + text.length() + " characters)";
  }
}
