package dev.arkonis.ark.cli;

import dev.arkonis.ark.bridge.dashboard.AgentLogs;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.failure.ApplicationFailure;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The own log of each in-process agent worker of {@code ark dev}: one line per model call and tool
 * call its activities served (step, outcome, time, tokens; never prompt or answer text), the last
 * {@value #KEEP} lines per task queue. The dashboard tails it where an agent on a cluster has pod
 * logs.
 */
final class WorkerLog implements AgentLogs {
  static final int KEEP = 1000;

  private final Clock clock;
  private final Map<String, Deque<String>> lines = new ConcurrentHashMap<>();

  WorkerLog(Clock clock) {
    this.clock = clock;
  }

  /** The activity implementation {@code activity} for {@code queue}, logging what it serves. */
  Object logging(String queue, Object activity) {
    lines.computeIfAbsent(queue, q -> new ArrayDeque<>());
    if (activity instanceof AgentActivities chat) {
      return new Chat(queue, chat);
    }
    if (activity instanceof ToolActivities tools) {
      return new Tools(queue, tools);
    }
    return activity;
  }

  @Override
  public Optional<String> tail(String namespace, String agent, int count) {
    Deque<String> log = lines.get(RunPlan.taskQueue(namespace, agent));
    if (log == null) {
      return Optional.empty();
    }
    synchronized (log) {
      List<String> all = List.copyOf(log);
      List<String> last = all.subList(Math.max(0, all.size() - count), all.size());
      return Optional.of(last.isEmpty() ? "" : String.join("\n", last) + "\n");
    }
  }

  void add(String queue, String line) {
    Deque<String> log = lines.computeIfAbsent(queue, q -> new ArrayDeque<>());
    synchronized (log) {
      log.addLast(clock.instant().truncatedTo(ChronoUnit.MILLIS) + " " + line);
      while (log.size() > KEEP) {
        log.removeFirst();
      }
    }
  }

  private long millisSince(Instant start) {
    return clock.millis() - start.toEpochMilli();
  }

  private static String failure(RuntimeException e) {
    String message =
        e instanceof ApplicationFailure app
            ? app.getOriginalMessage()
            : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private final class Chat implements AgentActivities {
    private final String queue;
    private final AgentActivities delegate;

    Chat(String queue, AgentActivities delegate) {
      this.queue = queue;
      this.delegate = delegate;
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
      Instant start = clock.instant();
      String what = "chat " + request.purpose() + " · step " + request.step();
      try {
        ChatResponse response = delegate.chat(request);
        add(
            queue,
            what
                + ": "
                + (response.toolCalls() == null || response.toolCalls().isEmpty()
                    ? "answered"
                    : response.toolCalls().size() + " tool call(s)")
                + " in "
                + millisSince(start)
                + " ms"
                + (response.usage() == null
                    ? ""
                    : ", tokens "
                        + response.usage().inputTokens()
                        + " in / "
                        + response.usage().outputTokens()
                        + " out"));
        return response;
      } catch (RuntimeException e) {
        add(queue, what + ": failed after " + millisSince(start) + " ms: " + failure(e));
        throw e;
      }
    }
  }

  private final class Tools implements ToolActivities {
    private final String queue;
    private final ToolActivities delegate;

    Tools(String queue, ToolActivities delegate) {
      this.queue = queue;
      this.delegate = delegate;
    }

    @Override
    public ToolList listTools(AgentSpec agent) {
      ToolList list = delegate.listTools(agent);
      add(
          queue,
          "listTools: "
              + list.tools().size()
              + " tool(s)"
              + (list.problems().isEmpty() ? "" : "; " + String.join("; ", list.problems())));
      return list;
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      Instant start = clock.instant();
      try {
        ToolResult result = delegate.callTool(request);
        add(
            queue,
            "tool "
                + request.tool()
                + ": "
                + (result.error() ? "error" : "ok")
                + " in "
                + millisSince(start)
                + " ms");
        return result;
      } catch (RuntimeException e) {
        add(
            queue,
            "tool "
                + request.tool()
                + ": failed after "
                + millisSince(start)
                + " ms: "
                + failure(e));
        throw e;
      }
    }
  }
}
