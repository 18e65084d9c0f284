package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.StepToolCall;
import dev.arkonis.ark.workflows.api.ToolActivities;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import java.util.ArrayList;
import java.util.List;

/**
 * One agent doing one task: LLM turn → tool calls (each an activity, delegations child workflows,
 * all of one turn in parallel) → results back to the model → … until a final answer that satisfies
 * the output schema, or {@value #MAX_TURNS} turns.
 */
final class AgentLoop {
  /** Turns an agent gets before its task fails. */
  static final int MAX_TURNS = 10;

  /** Answers violating the output schema are fed back this many times in total. */
  static final int SCHEMA_ATTEMPTS = 3;

  /** Where a loop stands after a turn: enough to continue it in a new workflow run. */
  record Progress(List<ChatMessage> messages, int turn, int schemaFailures) {}

  /** Called after every turn; may continue the workflow as new (it then never returns). */
  interface Checkpoint {
    Checkpoint NONE = progress -> {};

    void afterTurn(Progress progress);
  }

  private final AgentCalls calls;
  private final Delegations delegations;

  AgentLoop(AgentCalls calls, Delegations delegations) {
    this.calls = calls;
    this.delegations = delegations;
  }

  /**
   * Runs the loop for {@code step}; returns the final answer or throws {@link RunStop}.
   *
   * @param depth delegation depth of this task (0 for pipeline steps and the entry role)
   */
  ChatResponse answer(
      RunState state,
      RunState.Step step,
      int retries,
      AgentSpec agent,
      String prompt,
      String schema,
      int depth) {
    return answer(state, step, retries, agent, prompt, schema, depth, null, Checkpoint.NONE);
  }

  /** As above, continuing from {@code from} when given, with {@code checkpoint} after turns. */
  ChatResponse answer(
      RunState state,
      RunState.Step step,
      int retries,
      AgentSpec agent,
      String prompt,
      String schema,
      int depth,
      Progress from,
      Checkpoint checkpoint) {
    String task = from == null ? AgentMemory.recall(state, step, agent, prompt) : prompt;
    List<ChatRequest.ToolSpec> tools = new ArrayList<>();
    if (agent.hasTools()) {
      ToolActivities.ToolList listed = calls.listTools(step, agent);
      tools.addAll(listed.tools());
      if (!listed.problems().isEmpty()) {
        step.message = String.join("; ", listed.problems());
        state.changed();
      }
    }
    if (delegations.mayDelegate(agent, depth)) {
      tools.add(Delegations.tool(agent.canDelegate()));
    }
    List<ChatMessage> messages = new ArrayList<>();
    if (from != null) {
      messages.addAll(from.messages());
    } else {
      messages.add(
          ChatMessage.user(
              schema == null
                  ? task
                  : task
                      + "\n\n"
                      + ChatRequest.SCHEMA_MARKER
                      + "\n```json\n"
                      + schema.trim()
                      + "\n```"));
    }
    int schemaFailures = from == null ? 0 : from.schemaFailures();
    for (int turn = from == null ? 1 : from.turn() + 1; turn <= MAX_TURNS; turn++) {
      ChatResponse response =
          calls.chat(state, step, retries, "task", agent, messages, schema, tools);
      if (response.toolCalls().isEmpty()) {
        if (response.schemaViolations().isEmpty()) {
          if (response.cutOff()) {
            step.message = cutOffMessage(agent);
            state.changed();
          }
          AgentMemory.store(state, step, agent, prompt, response.text());
          return response;
        }
        schemaFailures++;
        if (schemaFailures >= SCHEMA_ATTEMPTS) {
          throw new RunStop(
              Phases.FAILED,
              "output does not match outputSchema after "
                  + schemaFailures
                  + " attempts: "
                  + String.join("; ", response.schemaViolations()));
        }
        // the next call is a new attempt at the step's answer
        step.attempts++;
        messages.add(ChatMessage.assistant(response.text(), List.of()));
        messages.add(
            ChatMessage.user(
                "Your answer does not match the required JSON Schema: "
                    + String.join("; ", response.schemaViolations())
                    + "\nAnswer again with JSON only that matches the schema."));
        Payloads.fitConversation(messages);
        checkpoint.afterTurn(new Progress(messages, turn, schemaFailures));
        continue;
      }
      messages.add(ChatMessage.assistant(response.text(), response.toolCalls()));
      List<Promise<ToolOutcome>> results = new ArrayList<>();
      for (ChatMessage.ToolCall call : response.toolCalls()) {
        results.add(Async.function(() -> callTool(state, step, agent, call, depth)));
      }
      for (int i = 0; i < results.size(); i++) {
        ChatMessage.ToolCall call = response.toolCalls().get(i);
        ToolOutcome outcome = results.get(i).get();
        messages.add(ChatMessage.toolResult(call, outcome.text()));
        step.recordToolCall(
            StepToolCall.of(
                call.name(),
                call.invalidArguments() != null ? call.invalidArguments() : call.arguments(),
                outcome.outcome(),
                outcome.text()));
      }
      Payloads.fitConversation(messages);
      checkpoint.afterTurn(new Progress(messages, turn, schemaFailures));
    }
    throw new RunStop(
        Phases.FAILED,
        "no final answer after " + MAX_TURNS + " turns (maxTurns); the agent kept calling tools");
  }

  /** The step message of an answer the model stopped at the output token limit. */
  static String cutOffMessage(AgentSpec agent) {
    return "output cut off at the token limit ("
        + (agent.maxTokensPerCall() > 0
            ? "maxTokensPerCall " + agent.maxTokensPerCall()
            : "the provider's default output limit")
        + "): the answer is incomplete; raise maxTokensPerCall or ask for a shorter answer";
  }

  /** What a tool call gave the model, and how it went ({@link StepToolCall#outcome()}). */
  record ToolOutcome(String outcome, String text) {
    static ToolOutcome ok(String text) {
      return new ToolOutcome(StepToolCall.OK, text);
    }

    static ToolOutcome error(String text) {
      return new ToolOutcome(StepToolCall.ERROR, text);
    }

    static ToolOutcome denied(String text) {
      return new ToolOutcome(StepToolCall.DENIED, text);
    }
  }

  private ToolOutcome callTool(
      RunState state, RunState.Step step, AgentSpec agent, ChatMessage.ToolCall call, int depth) {
    if (call.invalidArguments() != null) {
      // refused without running anything: the model gets the reason and can call again
      return ToolOutcome.denied(
          "error: the arguments of this call to "
              + call.name()
              + " were not valid JSON ("
              + call.invalidArguments()
              + "); the tool was not called. Call it again with a JSON object as arguments.");
    }
    if (call.name().equals(Delegations.TOOL)) {
      return delegations.delegate(state, step, agent, call, depth);
    }
    ToolActivities.ToolResult result = calls.callTool(step, agent, call);
    return result.error()
        ? ToolOutcome.error("error: " + result.text())
        : ToolOutcome.ok(result.text());
  }
}
