package dev.arkonis.ark.workflows.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.PayloadLimits;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepStatus;
import dev.arkonis.ark.workflows.api.StepToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Fits what a workflow sends into Temporal payloads ({@link PayloadLimits}): run statuses (status
 * writes, results, queries) and the conversations of chat requests. Pure and deterministic.
 */
final class Payloads {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Smallest cap the fitting goes down to, so every text keeps a useful beginning. */
  static final int MIN_TEXT_CHARS = 1024;

  /** Appended to a conversation's first message when earlier turns were left out. */
  static final String OMITTED_NOTE = "\n\n[ark: earlier turns of this conversation left out: ";

  private Payloads() {}

  /** A status write: step outputs and messages as much as the ArkRun keeps, and some margin. */
  static RunStatus forStatus(RunStatus status) {
    return fit(status, PayloadLimits.STATUS_OUTPUT_CHARS, PayloadLimits.MAX_PAYLOAD_CHARS);
  }

  /** A result or query answer: whole outputs unless they would not fit into one payload. */
  static RunStatus forResult(RunStatus status) {
    return fit(status, PayloadLimits.MAX_TEXT_CHARS, PayloadLimits.MAX_PAYLOAD_CHARS);
  }

  /** The steps of a status fitted the same way as {@link #forResult}. */
  static List<StepStatus> forResult(List<StepStatus> steps) {
    return forResult(new RunStatus(null, null, null, null, null, null, null, steps)).steps();
  }

  /**
   * Caps every text (run output, step outputs, messages, step data as JSON, tool call arguments and
   * results) at {@code perText} characters, then halves that cap until all of them together fit
   * into {@code total}.
   */
  static RunStatus fit(RunStatus status, int perText, int total) {
    List<Integer> sizes = new ArrayList<>();
    sizes.add(length(status.output()));
    sizes.add(length(status.message()));
    for (StepStatus s : status.steps()) {
      sizes.add(length(s.output()));
      sizes.add(length(s.message()));
      sizes.add(dataLength(s.data()));
      for (StepToolCall call : s.toolCalls()) {
        sizes.add(length(call.arguments()));
        sizes.add(length(call.result()));
      }
    }
    int fitted = perText;
    while (fitted > MIN_TEXT_CHARS && sum(sizes, fitted) > total) {
      fitted = Math.max(MIN_TEXT_CHARS, fitted / 2);
    }
    final int cap = fitted;
    if (sizes.stream().allMatch(n -> n <= cap)) {
      return status; // nothing to cut
    }
    List<StepStatus> steps = new ArrayList<>();
    for (StepStatus s : status.steps()) {
      Object data = dataLength(s.data()) > cap ? null : s.data();
      steps.add(
          new StepStatus(
              s.name(),
              s.role(),
              s.phase(),
              s.attempts(),
              s.startTime(),
              s.completionTime(),
              PayloadLimits.cap(s.output(), cap),
              data,
              s.tokenUsage(),
              PayloadLimits.cap(s.message(), cap),
              s.delegatedFrom(),
              s.iterations(),
              s.toolCalls().stream().map(call -> call.capped(cap)).toList(),
              s.route()));
    }
    return new RunStatus(
        status.phase(),
        status.startTime(),
        status.completionTime(),
        PayloadLimits.cap(status.output(), cap),
        PayloadLimits.cap(status.message(), cap),
        status.failedStep(),
        status.totalTokenUsage(),
        steps);
  }

  /**
   * Fits a conversation, in place, into one chat request: every message capped at {@link
   * PayloadLimits#MAX_TEXT_CHARS}; while the whole is over {@link PayloadLimits#MAX_PAYLOAD_CHARS},
   * the oldest turn after the task (an assistant message with the tool results or feedback that
   * answered it) is left out, and the task message says how many messages were.
   */
  static void fitConversation(List<ChatMessage> messages) {
    for (int i = 0; i < messages.size(); i++) {
      ChatMessage m = messages.get(i);
      if (length(m.text()) > PayloadLimits.MAX_TEXT_CHARS) {
        messages.set(i, withText(m, PayloadLimits.cap(m.text(), PayloadLimits.MAX_TEXT_CHARS)));
      }
    }
    int omitted = 0;
    while (messages.size() > 2 && conversationLength(messages) > PayloadLimits.MAX_PAYLOAD_CHARS) {
      int end = 2; // messages[1] is an assistant turn; drop it with what answered it
      while (end < messages.size() - 1 && !"assistant".equals(messages.get(end).type())) {
        end++;
      }
      if (end >= messages.size() - 1 && !"assistant".equals(messages.get(end).type())) {
        break; // only the current turn is left
      }
      messages.subList(1, end).clear();
      omitted += end - 1;
    }
    if (omitted > 0) {
      ChatMessage task = messages.get(0);
      String text = task.text() == null ? "" : task.text();
      int note = text.lastIndexOf(OMITTED_NOTE);
      int before = 0;
      if (note >= 0) {
        String count = text.substring(note + OMITTED_NOTE.length()).replaceAll("[^0-9]", "");
        before = count.isEmpty() ? 0 : Integer.parseInt(count);
        text = text.substring(0, note);
      }
      messages.set(
          0,
          withText(
              task,
              text
                  + OMITTED_NOTE
                  + (before + omitted)
                  + " messages, to keep the request under the size limit]"));
    }
  }

  static int conversationLength(List<ChatMessage> messages) {
    int n = 0;
    for (ChatMessage m : messages) {
      n += length(m.text());
      for (ChatMessage.ToolCall call : m.toolCalls()) {
        n += length(call.arguments());
      }
    }
    return n;
  }

  private static ChatMessage withText(ChatMessage m, String text) {
    return new ChatMessage(m.type(), text, m.toolCalls(), m.toolCallId(), m.toolName());
  }

  private static long sum(List<Integer> sizes, int cap) {
    long n = 0;
    for (int size : sizes) {
      n += Math.min(size, cap);
    }
    return n;
  }

  private static int length(String text) {
    return text == null ? 0 : text.length();
  }

  private static int dataLength(Object data) {
    if (data == null) {
      return 0;
    }
    try {
      return JSON.writeValueAsString(data).length();
    } catch (JsonProcessingException e) {
      return Integer.MAX_VALUE;
    }
  }
}
