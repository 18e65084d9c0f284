package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import io.temporal.activity.Activity;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted stand-in for the LLM activity: each test decides per call what the "model" answers,
 * and every call is recorded (step, purpose, task queue, attempt, prompt).
 */
final class FakeAgents implements AgentActivities {
  record Call(String step, String purpose, String taskQueue, int attempt, String lastMessage) {}

  final List<Call> calls = new CopyOnWriteArrayList<>();
  final Map<String, Integer> perStep = new ConcurrentHashMap<>();

  /** The team each step's chat requests named (the chat activity's metrics label). */
  final Map<String, String> teamByStep = new ConcurrentHashMap<>();

  private final Function<ChatRequest, ChatResponse> script;

  FakeAgents(Function<ChatRequest, ChatResponse> script) {
    this.script = script;
  }

  /** Answers every task with "<step> done" and 10 + 5 tokens; validators say VALID. */
  static FakeAgents echo() {
    return new FakeAgents(
        r -> reply(r.purpose().equals("validate") ? "VALID" : r.step() + " done"));
  }

  static ChatResponse reply(String text) {
    return new ChatResponse(text, List.of(), new TokenUsage(10, 5), null, List.of(), 1);
  }

  static ChatResponse reply(String text, Object data, List<String> violations) {
    return new ChatResponse(text, List.of(), new TokenUsage(10, 5), data, violations, 1);
  }

  @Override
  public ChatResponse chat(ChatRequest request) {
    int attempt = Activity.getExecutionContext().getInfo().getAttempt();
    String last = request.messages().get(request.messages().size() - 1).text();
    calls.add(
        new Call(
            request.step(),
            request.purpose(),
            Activity.getExecutionContext().getInfo().getActivityTaskQueue(),
            attempt,
            last));
    perStep.merge(request.step(), 1, Integer::sum);
    teamByStep.put(request.step(), String.valueOf(request.team()));
    ChatResponse response = script.apply(request);
    return new ChatResponse(
        response.text(),
        response.toolCalls(),
        response.usage(),
        response.data(),
        response.schemaViolations(),
        attempt,
        response.cutOff());
  }

  List<String> stepsCalled() {
    return calls.stream().map(Call::step).toList();
  }
}
