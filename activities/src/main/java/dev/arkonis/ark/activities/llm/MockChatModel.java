package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.api.ChatMessage.ToolCall;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic {@link ChatModel} without network access: the {@code mock} provider, used when no
 * API key is configured so {@code ark run} works on a laptop, and by tests and benchmarks.
 *
 * <p>Unscripted answers, first rule that applies:
 *
 * <ol>
 *   <li>The last user message is a routed team's router request (it holds {@value
 *       dev.arkonis.ark.workflows.api.RoutingPlan#CAPABILITIES_MARKER}): the agent whose capability
 *       shares the most words with the task, tags counting double ({@link MockRouter}); {@code
 *       none} when no word is shared.
 *   <li>A tool named {@code delegate} is offered ({@code {role, task}}): delegate once to each role
 *       of the enum of its {@code role} parameter (or listed after the last colon of that
 *       parameter's description), in order, one tool call per turn, skipping roles the conversation
 *       already delegated to. When all are done: {@code "Summary of delegated work:\n- <role>:
 *       <result>..."} quoting each tool result.
 *   <li>A user message contains {@value MockReplies#SCHEMA_MARKER} followed by a JSON Schema
 *       (optionally in a {@code ```json} fence): a valid instance from {@link
 *       SchemaInstanceGenerator}.
 *   <li>The system prompt or last user message asks for {@code VALID or INVALID}, or the last user
 *       message is the workflow's semantic check ({@value MockReplies#VALIDATION_MARKER}): {@code
 *       VALID}.
 *   <li>The last user message contains {@code HEALTHY} (an upstream liveness probe's validator
 *       prompt): {@code HEALTHY}.
 *   <li>Otherwise {@code [mock:<model> <who>] <first 160 characters of the last user message>},
 *       where {@code <who>} is the system prompt's {@code Role:} line or a digest of it.
 * </ol>
 *
 * <p>Token usage is estimated as characters / 4 (at least 1): input over all messages, output over
 * the answer. Options add latency and a seeded failure rate (a retryable {@link
 * InternalServerException}, HTTP 500).
 *
 * <p><b>Scripts.</b> A scripted mock returns {@link ScriptedReply replies} in order, shared by all
 * callers; when the script is used up it answers by the rules above. A script file is YAML or JSON,
 * either a list of replies or an object with a {@code replies} list:
 *
 * <pre>{@code
 * replies:
 *   - text: "Here is the plan."
 *     usage: {input: 120, output: 30}       # optional; estimated when absent
 *   - toolCalls:
 *       - id: call-1                        # optional; generated when absent
 *         name: delegate
 *         arguments: {role: billing, task: "Refund order 42"}   # an object or a JSON string
 *   - error: rate-limit                     # auth, forbidden, invalid, not-found, timeout,
 *     message: "slow down"                  # rate-limit, server, unavailable, connection, 4xx/5xx
 * }</pre>
 */
public final class MockChatModel implements ChatModel {
  /**
   * Behaviour of the mock.
   *
   * @param latency pause before every answer (benchmarks)
   * @param failRate fraction of calls (0..1) that fail with a retryable server error
   * @param seed seed of the failure sequence
   * @param script replies to return first, in order (empty for none)
   */
  public record Options(Duration latency, double failRate, long seed, List<ScriptedReply> script) {
    public static final Options DEFAULT = new Options(Duration.ZERO, 0.0, 42L, List.of());

    public Options {
      latency = latency == null ? Duration.ZERO : latency;
      if (latency.isNegative()) {
        throw new IllegalArgumentException("mock latency must not be negative: " + latency);
      }
      if (!(failRate >= 0.0 && failRate <= 1.0)) {
        throw new IllegalArgumentException("mock fail rate must be between 0 and 1: " + failRate);
      }
      script = script == null ? List.of() : List.copyOf(script);
    }

    public Options withLatency(Duration value) {
      return new Options(value, failRate, seed, script);
    }

    public Options withFailRate(double value) {
      return new Options(latency, value, seed, script);
    }

    public Options withSeed(long value) {
      return new Options(latency, failRate, value, script);
    }

    public Options withScript(List<ScriptedReply> value) {
      return new Options(latency, failRate, seed, value);
    }
  }

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final String modelName;
  private final Options options;
  private final Random random;
  private final AtomicInteger nextReply = new AtomicInteger();

  /** A mock answering as model {@code mock}. */
  public MockChatModel() {
    this("mock", Options.DEFAULT);
  }

  /** A mock answering as {@code modelName} (when the request names no model). */
  public MockChatModel(String modelName) {
    this(modelName, Options.DEFAULT);
  }

  public MockChatModel(String modelName, Options options) {
    this.modelName = modelName == null || modelName.isBlank() ? "mock" : modelName;
    this.options = options == null ? Options.DEFAULT : options;
    this.random = new Random(this.options.seed());
  }

  /** A mock returning {@code replies} in order. */
  public static MockChatModel scripted(List<ScriptedReply> replies) {
    return new MockChatModel("mock", Options.DEFAULT.withScript(replies));
  }

  /** A mock returning the replies of a script file (format in the class description). */
  public static MockChatModel fromScript(Path file) throws IOException {
    return scripted(loadScript(file));
  }

  /** Reads a script file (YAML or JSON; format in the class description). */
  public static List<ScriptedReply> loadScript(Path file) throws IOException {
    JsonNode root = YAML.readTree(file.toFile());
    JsonNode list = root != null && root.isObject() ? root.path("replies") : root;
    if (list == null || !list.isArray()) {
      throw new IOException(file + ": a mock script is a list of replies or {replies: [...]}");
    }
    List<ScriptedReply> replies = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      try {
        replies.add(reply(list.get(i)));
      } catch (IllegalArgumentException e) {
        throw new IOException(file + ": replies[" + i + "]: " + e.getMessage(), e);
      }
    }
    return replies;
  }

  private static ScriptedReply reply(JsonNode node) {
    if (node.isTextual()) {
      return ScriptedReply.text(node.asText());
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("a reply is a text or an object");
    }
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode call : node.path("toolCalls")) {
      if (!call.hasNonNull("name")) {
        throw new IllegalArgumentException("a tool call needs a name");
      }
      JsonNode args = call.path("arguments");
      String arguments =
          args.isMissingNode() || args.isNull()
              ? "{}"
              : args.isTextual() ? args.asText() : args.toString();
      calls.add(new ToolCall(call.path("id").asText(null), call.get("name").asText(), arguments));
    }
    JsonNode usage = node.path("usage");
    return new ScriptedReply(
        node.path("text").asText(null),
        calls,
        usage.has("input") ? usage.get("input").asInt() : null,
        usage.has("output") ? usage.get("output").asInt() : null,
        node.path("error").asText(null),
        node.path("message").asText(null));
  }

  public Options options() {
    return options;
  }

  @Override
  public ModelProvider provider() {
    return ModelProvider.OTHER;
  }

  @Override
  public ChatResponse doChat(ChatRequest request) {
    pause();
    if (options.failRate() > 0 && nextFails()) {
      throw new InternalServerException(
          new HttpException(500, "mock provider: simulated server error (failRate)"));
    }
    String model =
        request.modelName() == null || request.modelName().isBlank()
            ? modelName
            : request.modelName();
    int index = nextReply.getAndIncrement();
    ScriptedReply scripted = index < options.script().size() ? options.script().get(index) : null;
    if (scripted != null && scripted.isError()) {
      throw scripted.toException();
    }
    AiMessage answer =
        scripted == null ? MockReplies.answer(request, model) : message(scripted, index);
    int input = 0;
    for (ChatMessage message : request.messages()) {
      input += MockReplies.characters(message);
    }
    int output = MockReplies.characters(answer);
    TokenUsage usage =
        new TokenUsage(
            scripted != null && scripted.inputTokens() != null
                ? scripted.inputTokens()
                : estimate(input),
            scripted != null && scripted.outputTokens() != null
                ? scripted.outputTokens()
                : estimate(output));
    return ChatResponse.builder()
        .aiMessage(answer)
        .modelName(model)
        .tokenUsage(usage)
        .finishReason(
            answer.hasToolExecutionRequests() ? FinishReason.TOOL_EXECUTION : FinishReason.STOP)
        .build();
  }

  /** Token estimate for a number of characters: characters / 4, at least 1. */
  public static int estimate(int characters) {
    return Math.max(1, characters / 4);
  }

  private static AiMessage message(ScriptedReply reply, int index) {
    List<ToolExecutionRequest> calls = new ArrayList<>();
    for (int i = 0; i < reply.toolCalls().size(); i++) {
      ToolCall call = reply.toolCalls().get(i);
      calls.add(
          ToolExecutionRequest.builder()
              .id(
                  call.id() == null || call.id().isBlank()
                      ? "scripted-" + index + "-" + i
                      : call.id())
              .name(call.name())
              .arguments(call.arguments() == null ? "{}" : call.arguments())
              .build());
    }
    AiMessage.Builder builder = AiMessage.builder().text(reply.text());
    if (!calls.isEmpty()) {
      builder.toolExecutionRequests(calls);
    }
    return builder.build();
  }

  private synchronized boolean nextFails() {
    return random.nextDouble() < options.failRate();
  }

  private void pause() {
    if (options.latency().isZero()) {
      return;
    }
    try {
      Thread.sleep(options.latency().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RetriableException("mock provider: interrupted while simulating latency", e);
    }
  }
}
