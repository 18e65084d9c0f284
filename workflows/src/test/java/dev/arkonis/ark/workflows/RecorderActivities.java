package dev.arkonis.ark.workflows;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetActivities;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.EventActivities;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.NotifyDeliveryActivities;
import dev.arkonis.ark.workflows.api.NotifyWorkflow;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.RunStatusActivities;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.failure.ApplicationFailure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The scripted activities behind {@link DevServerHistoryRecorder}'s recordings. */
final class RecorderActivities {
  private RecorderActivities() {}

  /** The agents' model and tools: scripted per role. */
  static final class Scripted implements AgentActivities, ToolActivities {
    private final AtomicInteger verdicts = new AtomicInteger();

    @Override
    public ChatResponse chat(ChatRequest request) {
      List<ChatMessage> messages = request.messages();
      long toolResults = messages.stream().filter(m -> "tool".equals(m.type())).count();
      String role = request.agent().role();
      if (request.purpose().equals("validate")) { // the first verdict rejects, later ones accept
        return new ChatResponse(
            verdicts.getAndIncrement() == 0 ? "INVALID: say more" : "VALID",
            List.of(),
            new TokenUsage(5, 1),
            null,
            List.of(),
            1);
      }
      List<ChatMessage.ToolCall> calls = new ArrayList<>();
      if (role.equals("researcher") && toolResults == 0) {
        calls.add(new ChatMessage.ToolCall("c1", "lookup", "{\"word\":\"otter\"}"));
        calls.add(new ChatMessage.ToolCall("c2", "lookup", "{\"word\":\"river\"}"));
      } else if (role.equals("lead") && toolResults == 0) {
        calls.add(
            new ChatMessage.ToolCall(
                "d1", "delegate", "{\"role\":\"helper\",\"task\":\"add 40 and 2\"}"));
      } else if (role.equals("looper") && toolResults < 4) {
        calls.add(
            new ChatMessage.ToolCall("l" + toolResults, "lookup", "{\"n\":" + toolResults + "}"));
      }
      String text =
          calls.isEmpty() ? role + " answered after " + toolResults + " tool results" : "";
      return new ChatResponse(text, calls, new TokenUsage(20, 10), null, List.of(), 1);
    }

    @Override
    public ToolList listTools(AgentSpec agent) {
      return new ToolList(
          List.of(new ChatRequest.ToolSpec("lookup", "looks a word up", "{\"type\":\"object\"}")),
          List.of());
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      return new ToolResult("result of " + request.arguments(), false);
    }
  }

  /** The operator's side: status writes, events, budget and health reports, notifications. */
  static final class Operator
      implements RunStatusActivities,
          NotifyActivities,
          EventActivities,
          BudgetActivities,
          AgentHealthActivities,
          NotifyDeliveryActivities {
    final AtomicInteger recordedFires = new AtomicInteger();
    private final Map<String, AtomicInteger> awaited = new ConcurrentHashMap<>();

    @Override
    public void write(RunRef run, RunStatus status) {}

    @Override
    public void notify(Notification notification) {}

    @Override
    public List<String> createRuns(String namespace, String event, List<NewRun> runs) {
      return runs.stream().map(NewRun::name).toList();
    }

    @Override
    public Map<String, RunState> runStates(String namespace, List<String> runs) {
      Map<String, RunState> out = new LinkedHashMap<>();
      runs.forEach(r -> out.put(r, new RunState("Succeeded", "an essay")));
      return out;
    }

    @Override
    public Map<String, RunState> awaitRuns(String namespace, List<String> runs) {
      if (awaited
              .computeIfAbsent(String.join(",", runs), k -> new AtomicInteger())
              .incrementAndGet()
          < 2) {
        throw ApplicationFailure.newFailure("runs still active", RUNS_ACTIVE);
      }
      return runStates(namespace, runs);
    }

    @Override
    public void cancelRuns(String namespace, List<String> runs) {}

    @Override
    public void recordFire(
        String namespace,
        String event,
        String fireId,
        String firedAt,
        List<NewRun> runs,
        String nextFireAt) {
      recordedFires.incrementAndGet();
    }

    @Override
    public long nextFireTime(String cron, String timezone, long after) {
      return after + 3000; // a fast "cron" so the recording takes seconds
    }

    @Override
    public void report(BudgetReport report) {}

    @Override
    public void writeHealth(HealthChange change) {}

    @Override
    public String deliver(String namespace, String notify, Notification notification) {
      return null;
    }

    @Override
    public void writeStatus(String namespace, String notify, NotifyWorkflow.Counts counts) {}
  }
}
