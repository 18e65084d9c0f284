package dev.arkonis.ark.workflows.run;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.template.Conditions;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import io.temporal.workflow.Workflow;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs one pipeline step: its {@code if}, its prompt templates, the LLM calls with output-schema
 * feedback, semantic validation and {@code loop}. Deterministic; all I/O goes through activities.
 */
final class StepRunner {
  /** Change id: a semantic verdict passes only when its first word is VALID, exactly. */
  private static final String FIRST_WORD_VERDICT = "first-word-verdict";

  private final AgentCalls calls;
  private final AgentLoop loop;

  StepRunner(AgentCalls calls, AgentLoop loop) {
    this.calls = calls;
    this.loop = loop;
  }

  /** The run's (or the step task's) token budget. */
  Budget budget() {
    return calls.budget();
  }

  /** Runs the step to a terminal phase, or throws {@link RunStop}. */
  void run(RunState state, StepSpec spec, AgentSpec agent, String defaultTask, Clock clock) {
    run(state, spec, agent, defaultTask, clock, Position.START, Checkpoint.NONE);
  }

  /**
   * As above, from {@code from} (past the start the {@code if} was already true), with {@code
   * checkpoint} before every further iteration and every semantic retry.
   */
  void run(
      RunState state,
      StepSpec spec,
      AgentSpec agent,
      String defaultTask,
      Clock clock,
      Position from,
      Checkpoint checkpoint) {
    RunState.Step step = state.step(spec.name());
    if (from.equals(Position.START) && spec.condition() != null && !spec.condition().isBlank()) {
      boolean go = evaluate(spec.condition(), state, "if");
      if (!go) {
        step.phase = Phases.SKIPPED;
        step.message = "condition is false: " + spec.condition().trim();
        step.completionTime = clock.now();
        state.changed();
        return;
      }
    }
    int maxIterations = spec.loop() == null ? 1 : Math.max(1, spec.loop().maxIterations());
    for (int iteration = from.iteration(); iteration <= maxIterations; iteration++) {
      Position at = iteration == from.iteration() ? from : new Position(iteration, 0, null);
      if (iteration > from.iteration()) {
        checkpoint.before(at);
      }
      runOnce(state, step, spec, agent, defaultTask, at, checkpoint);
      step.iterations = iteration;
      state.changed();
      if (spec.loop() == null || !evaluate(spec.loop().condition(), state, "loop.condition")) {
        break;
      }
    }
    step.phase = Phases.SUCCEEDED;
    step.completionTime = clock.now();
    state.changed();
  }

  private void runOnce(
      RunState state,
      RunState.Step step,
      StepSpec spec,
      AgentSpec agent,
      String defaultTask,
      Position at,
      Checkpoint checkpoint) {
    String task = render(spec, state, defaultTask);
    StepSpec.Validation validation = spec.validate();
    int semanticRetries =
        validation != null && "retry".equals(validation.onFailure())
            ? Math.max(0, validation.maxRetries())
            : 0;
    String feedback = at.feedback();
    for (int round = at.round(); ; round++) {
      if (round > at.round()) {
        checkpoint.before(new Position(at.iteration(), round, feedback));
      }
      String prompt = feedback == null ? task : task + "\n\n" + feedback;
      ChatResponse answer =
          loop.answer(state, step, spec.retries(), agent, prompt, spec.outputSchema(), 0);
      step.output = answer.text();
      step.data = answer.data();
      state.changed();
      if (validation == null || validation.semantic() == null || validation.semantic().isBlank()) {
        return;
      }
      String verdict = semanticCheck(state, step, spec, agent, validation, answer.text());
      if (verdict == null) {
        return;
      }
      String onFailure = validation.onFailure() == null ? "fail" : validation.onFailure();
      if (onFailure.equals("continue")) {
        step.message = "semantic validation failed (continued): " + verdict;
        return;
      }
      if (onFailure.equals("retry") && round < semanticRetries) {
        feedback = "A reviewer rejected your previous answer: " + verdict + "\nTry again.";
        step.attempts++;
        continue;
      }
      throw new RunStop(
          Phases.FAILED,
          "semantic validation failed"
              + (round > 0 ? " after " + (round + 1) + " tries" : "")
              + ": "
              + verdict);
    }
  }

  /** Null when the validator accepts the output, else the validator's answer. */
  private String semanticCheck(
      RunState state,
      RunState.Step step,
      StepSpec spec,
      AgentSpec agent,
      StepSpec.Validation validation,
      String output) {
    String prompt =
        renderText(validation.semantic(), state, "validate.semantic")
            + "\n\nReply with exactly one word: VALID or INVALID."
            + "\n\n--- Output to check ---\n"
            + output;
    ChatResponse verdict =
        calls.chat(
            state,
            step,
            spec.retries(),
            "validate",
            agent,
            List.of(ChatMessage.user(prompt)),
            null,
            List.of());
    String text = verdict.text() == null ? "" : verdict.text().trim();
    boolean valid;
    if (Workflow.getVersion(FIRST_WORD_VERDICT, Workflow.DEFAULT_VERSION, 1) == 1) {
      valid = Verdicts.passes(text, Verdicts.STEP);
    } else { // histories recorded before the exact first-word rule replay as they ran
      String upper = text.toUpperCase(Locale.ROOT);
      valid = upper.startsWith("VALID") || (upper.contains("VALID") && !upper.contains("INVALID"));
    }
    return valid ? null : (text.isEmpty() ? "the validator gave no answer" : text);
  }

  private static String render(StepSpec spec, RunState state, String defaultTask) {
    Map<String, String> inputs = spec.inputs();
    StringBuilder task = new StringBuilder();
    String prompt = inputs.get("prompt");
    task.append(prompt == null ? defaultTask : renderText(prompt, state, "inputs.prompt").trim());
    inputs.keySet().stream()
        .filter(k -> !k.equals("prompt"))
        .sorted()
        .forEach(
            k ->
                task.append("\n\n")
                    .append(k)
                    .append(":\n")
                    .append(renderText(inputs.get(k), state, "inputs." + k).trim()));
    return task.toString();
  }

  static String renderText(String template, RunState state, String field) {
    try {
      return Template.parse(template).render(state.templateData());
    } catch (TemplateException e) {
      throw new RunStop(Phases.FAILED, field + ": template " + e.getMessage());
    }
  }

  static boolean evaluate(String condition, RunState state, String field) {
    try {
      return Conditions.evaluate(condition, state.templateData());
    } catch (TemplateException e) {
      throw new RunStop(Phases.FAILED, field + ": " + e.getMessage());
    }
  }

  /** Called before a loop's next iteration; may continue the workflow as new (never returns). */
  interface Checkpoint {
    Checkpoint NONE = next -> {};

    void before(Position next);
  }

  /**
   * Where a step stands: its loop iteration (1-based), the semantic retry round within it (0 =
   * first answer) and the reviewer's feedback that round carries.
   */
  record Position(int iteration, int round, String feedback) {
    static final Position START = new Position(1, 0, null);
  }

  /** Workflow time as RFC 3339 (injected so the runner stays testable). */
  interface Clock {
    String now();
  }
}
