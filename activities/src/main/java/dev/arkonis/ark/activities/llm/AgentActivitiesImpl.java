package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.budget.DailyBudgets;
import dev.arkonis.ark.activities.metrics.ArkMetrics;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.TokenUsage;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.output.FinishReason;
import io.temporal.activity.Activity;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code chat} activity: one LLM turn through langchain4j.
 *
 * <p>The request becomes a langchain4j request (system prompt, user/assistant/tool messages, tool
 * specifications, {@code maxTokensPerCall}, temperature; a {@code json_schema} response format for
 * a step's output schema on turns without tools where the provider takes one, else the JSON
 * response format in JSON mode) for the agent's model from {@link ChatModels}. The answer comes
 * back as text, tool calls and token usage. With an output schema and no tool calls, the JSON in
 * the answer is parsed into {@code data} and checked against the schema ({@code schemaViolations});
 * the workflow decides what to do with violations. Without a schema, {@code data} is set when the
 * whole answer is a JSON object or array. An answer that stopped at the token limit is marked
 * {@code cutOff}; with a schema, one that is not complete JSON gets a violation naming the limit.
 * Tool-call arguments that are not a JSON object come back as {@code {}} with the model's text in
 * {@code invalidArguments}.
 *
 * <p>Errors are typed {@code ApplicationFailure}s (see {@link AgentActivities}): bad keys and
 * invalid requests are not retried; rate limits, server errors, timeouts and network errors are, by
 * the activity's retry policy. For an agent with {@code maxDailyTokens} the call is first reserved
 * in its daily ledger ({@link DailyBudgets}): a refusal is the non-retryable {@code
 * DailyBudgetExceeded} failure and the model is not called; what the call spent is counted after
 * it, also when it failed. While the model call is in flight the activity heartbeats ({@link
 * InFlightCall}); a cancelled run (deleted ArkRun) aborts the call. Prompts and answers are logged
 * at DEBUG only; keys never. Each model call is measured ({@link ArkMetrics#llmCall}, {@link
 * ArkMetrics#tokens}).
 */
public final class AgentActivitiesImpl implements AgentActivities {
  private static final Logger log = LoggerFactory.getLogger(AgentActivitiesImpl.class);

  static final String NOT_JSON =
      "the answer is not JSON; answer with a JSON value only that matches the schema";

  private final ChatModels models;
  private final IntSupplier attempt;
  private final DailyBudgets budgets;
  private final PromptSecrets secrets;
  private final AnsweredCalls answered = new AnsweredCalls(java.time.Clock.systemUTC());
  private final ArkMetrics metrics;

  /** Models from the process environment ({@link ModelFactory#ModelFactory()}). */
  public AgentActivitiesImpl() {
    this(new ModelFactory());
  }

  /** Models from {@code models}; the attempt number from the activity context. */
  public AgentActivitiesImpl(ChatModels models) {
    this(models, AgentActivitiesImpl::activityAttempt);
  }

  /**
   * @param models where the agent's model comes from
   * @param attempt the current activity attempt (1 = first)
   */
  public AgentActivitiesImpl(ChatModels models, IntSupplier attempt) {
    this(models, attempt, null);
  }

  /**
   * Models from {@code models}, each call of an agent with {@code maxDailyTokens} reserved in and
   * counted by its daily ledger through {@code budgets}.
   */
  public AgentActivitiesImpl(ChatModels models, DailyBudgets budgets) {
    this(models, AgentActivitiesImpl::activityAttempt, budgets);
  }

  /**
   * @param models where the agent's model comes from
   * @param attempt the current activity attempt (1 = first)
   * @param budgets the daily token ledgers, or null when this worker does not enforce them
   */
  public AgentActivitiesImpl(ChatModels models, IntSupplier attempt, DailyBudgets budgets) {
    this(models, attempt, budgets, ArkMetrics.global());
  }

  /**
   * @param models where the agent's model comes from
   * @param attempt the current activity attempt (1 = first)
   * @param budgets the daily token ledgers, or null when this worker does not enforce them
   * @param metrics where call latency and tokens are recorded
   */
  public AgentActivitiesImpl(
      ChatModels models, IntSupplier attempt, DailyBudgets budgets, ArkMetrics metrics) {
    this(models, attempt, budgets, metrics, PromptSecrets.NONE);
  }

  private AgentActivitiesImpl(
      ChatModels models,
      IntSupplier attempt,
      DailyBudgets budgets,
      ArkMetrics metrics,
      PromptSecrets secrets) {
    this.models = models;
    this.attempt = attempt;
    this.budgets = budgets;
    this.metrics = metrics;
    this.secrets = secrets;
  }

  /**
   * These activities, reading Secret-backed system prompts ({@code systemPromptRef.secretKeyRef})
   * through {@code secrets}; without it such a call fails with {@link PromptSecrets#UNAVAILABLE}.
   */
  public AgentActivitiesImpl withPromptSecrets(PromptSecrets secrets) {
    return new AgentActivitiesImpl(models, attempt, budgets, metrics, secrets);
  }

  /**
   * The model's answer; a retry of an activity this worker already answered (its answer was not
   * recorded, e.g. the Temporal server was down) gets that answer without a new model call ({@link
   * AnsweredCalls}).
   */
  @Override
  public ChatResponse chat(ChatRequest request) {
    String activity = activityKey();
    return activity == null
        ? answer(request)
        : answered.answer(activity, attempt.getAsInt(), () -> answer(request));
  }

  private ChatResponse answer(ChatRequest request) {
    AgentSpec agent = PromptSecrets.resolve(request.agent(), secrets);
    if (agent != request.agent()) {
      request =
          new ChatRequest(
              request.purpose(),
              request.step(),
              agent,
              request.messages(),
              request.outputSchema(),
              request.tools(),
              request.team());
    }
    String provider = models.provider(agent);
    RunTracingAttributes.provider(provider);
    dev.langchain4j.model.chat.request.ChatRequest call;
    try {
      call =
          ChatConversion.toLangchain(
              request,
              agent.jsonMode() && ModelFactory.supportsJsonMode(provider),
              ModelFactory.supportsJsonSchema(provider));
    } catch (IllegalArgumentException e) {
      throw ProviderErrors.invalid("step " + request.step() + ": " + e.getMessage());
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "chat step={} purpose={} agent={} provider={} model={} messages={} tools={}",
          request.step(),
          request.purpose(),
          agent.agent(),
          provider,
          agent.model(),
          request.messages().size(),
          request.tools().size());
    }
    boolean budgeted = budgets != null && agent.maxDailyTokens() > 0;
    String callId = budgeted ? callId() : null;
    if (budgeted) {
      budgets.reserve(agent, callId, ChatConversion.estimatedInput(call));
    }
    dev.langchain4j.model.chat.response.ChatResponse answer;
    TokenUsage usage = TokenUsage.ZERO;
    String outcome = "cancelled";
    long started = System.nanoTime();
    try {
      ChatModel model = models.model(agent, request.purpose());
      answer = InFlightCall.run(() -> model.chat(call)); // heartbeats; aborted when cancelled
      usage = ChatConversion.usage(call, answer);
      outcome = ArkMetrics.SUCCESS;
    } catch (ActivityCompletionException cancelled) {
      throw cancelled;
    } catch (RuntimeException e) {
      ApplicationFailure failure =
          ProviderErrors.toFailure(e, provider, agent.model(), models::redact);
      outcome = failure.getType();
      throw failure;
    } finally {
      if (budgeted) {
        budgets.commit(agent, callId, usage);
      }
      metrics.llmCall(
          provider, agent.model(), outcome, Duration.ofNanos(System.nanoTime() - started));
      metrics.tokens(
          ArkMetrics.namespaceOf(agent.taskQueue()),
          request.team(),
          agent.agent(),
          agent.model(),
          usage.inputTokens(),
          usage.outputTokens());
    }
    AiMessage message = answer.aiMessage();
    String text = message == null || message.text() == null ? "" : message.text();
    List<ChatMessage.ToolCall> toolCalls = ChatConversion.toolCalls(message);
    log.debug(
        "chat step={} answered: {} chars, {} tool calls, {}",
        request.step(),
        text.length(),
        toolCalls.size(),
        usage);
    boolean cutOff = answer.finishReason() == FinishReason.LENGTH;
    Object data = null;
    List<String> violations = List.of();
    if (toolCalls.isEmpty()) {
      String schema = request.outputSchema();
      if (schema != null && !schema.isBlank()) {
        Optional<JsonNode> json =
            cutOff && JsonAnswers.complete(text).isEmpty()
                ? Optional.empty()
                : JsonAnswers.extract(text);
        if (cutOff && json.isEmpty()) {
          violations = List.of(cutOff(agent));
        } else if (json.isPresent()) {
          data = JsonAnswers.toPlain(json.get());
          violations = JsonSchemas.violations(schema, json.get());
        } else {
          violations = List.of(NOT_JSON);
        }
      } else {
        data = JsonAnswers.whole(text).map(JsonAnswers::toPlain).orElse(null);
      }
    }
    // an answer over PayloadLimits.MAX_TEXT_CHARS is cut here, so no payload nears Temporal's limit
    return new ChatResponse(text, toolCalls, usage, data, violations, attempt.getAsInt(), cutOff)
        .capped();
  }

  /** The schema feedback for an answer that stopped at the token limit. */
  static String cutOff(AgentSpec agent) {
    return "the answer was cut off at the token limit ("
        + (agent.maxTokensPerCall() > 0
            ? "maxTokensPerCall " + agent.maxTokensPerCall() + " tokens"
            : "the provider's output limit")
        + ") before the JSON was complete; answer with shorter JSON that matches the schema";
  }

  /**
   * The running activity, {@code <workflow id>/<run id>/<activity id>} (the same for all its
   * attempts), or null outside an activity.
   */
  private static String activityKey() {
    try {
      var info = Activity.getExecutionContext().getInfo();
      return info.getWorkflowId() + "/" + info.getRunId() + "/" + info.getActivityId();
    } catch (IllegalStateException e) {
      return null;
    }
  }

  /** Unique per activity attempt: {@code <workflow id>/<activity id>/<attempt>}. */
  private static String callId() {
    try {
      var info = Activity.getExecutionContext().getInfo();
      return info.getWorkflowId() + "/" + info.getActivityId() + "/" + info.getAttempt();
    } catch (IllegalStateException e) {
      return "direct/" + UUID.randomUUID();
    }
  }

  /**
   * The attempt of the running activity, or 1 outside an activity (e.g. a direct call in a test).
   */
  public static int activityAttempt() {
    try {
      return Activity.getExecutionContext().getInfo().getAttempt();
    } catch (IllegalStateException e) {
      return 1;
    }
  }
}
