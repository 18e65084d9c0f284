package dev.arkonis.ark.cli;

import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.arkonis.ark.workflows.template.Template;
import dev.arkonis.ark.workflows.template.TemplateException;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import java.util.List;

/**
 * The first workflow task of a cold {@code ark run} reads its {@link RunPlan}, and the first chat
 * activity its request, through Jackson deserializers built on first use, and renders the steps'
 * templates with a parser that has not run yet. This runs both once on a daemon thread while the
 * main thread starts the Temporal service and workers (the converter and its deserializer cache are
 * the process's shared default): the first step's overhead went from 118 to 90–100 ms (medians of 8
 * cold runs each, side by side). Nothing depends on it: a failure only leaves the work to the first
 * task.
 */
final class PayloadWarmUp {
  private PayloadWarmUp() {}

  static void start(RunPlan plan) {
    Thread thread =
        new Thread(
            () -> {
              try {
                DataConverter converter = DefaultDataConverter.STANDARD_INSTANCE;
                roundTrip(converter, plan, RunPlan.class);
                for (StepSpec step : plan.steps()) {
                  step.inputs().values().forEach(PayloadWarmUp::parse);
                }
                plan.allAgents().values().stream()
                    .findFirst()
                    .ifPresent(
                        agent ->
                            roundTrip(
                                converter,
                                new ChatRequest(
                                    "task",
                                    "warm-up",
                                    agent,
                                    List.of(ChatMessage.user("warm-up")),
                                    null,
                                    List.of(),
                                    plan.team()),
                                ChatRequest.class));
                roundTrip(
                    converter,
                    new ChatResponse("ok", List.of(), TokenUsage.ZERO, null, List.of(), 1),
                    ChatResponse.class);
                roundTrip(
                    converter,
                    new RunStatus("Running", null, null, null, null, null, TokenUsage.ZERO, null),
                    RunStatus.class);
              } catch (RuntimeException e) {
                // only a warm-up: the first task builds what is missing
              }
            },
            "ark-payload-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  private static void parse(String template) {
    try {
      Template.parse(template);
    } catch (TemplateException e) {
      // the run reports it
    }
  }

  private static <T> void roundTrip(DataConverter converter, T value, Class<T> type) {
    converter.fromPayloads(0, converter.toPayloads(value), type, type);
  }
}
