package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.arkonis.ark.workflows.api.ChatMessage.ToolCall;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.RetriableException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockChatModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TASK = "Customer 42 was charged twice and the app crashes on login.";

  private static ToolSpecification delegateTool(String... roles) {
    return ToolSpecification.builder()
        .name("delegate")
        .description("Hand a task to another role")
        .parameters(
            JsonObjectSchema.builder()
                .addEnumProperty("role", List.of(roles))
                .addStringProperty("task")
                .required("role", "task")
                .build())
        .build();
  }

  private static ChatResponse ask(
      MockChatModel model, List<ChatMessage> messages, ToolSpecification... tools) {
    ChatRequest.Builder request = ChatRequest.builder().messages(messages).modelName("gpt-4o");
    if (tools.length > 0) {
      request.toolSpecifications(tools);
    }
    return model.chat(request.build());
  }

  @Test
  void delegatesOnceToEachRoleThenSummarisesTheResults() throws Exception {
    MockChatModel model = new MockChatModel();
    ToolSpecification delegate = delegateTool("billing", "technical", "escalation");
    List<ChatMessage> conversation = new ArrayList<>();
    conversation.add(SystemMessage.from("You are the coordinator."));
    conversation.add(UserMessage.from(TASK));

    List<String> roles = new ArrayList<>();
    for (int turn = 0; turn < 3; turn++) {
      AiMessage answer = ask(model, conversation, delegate).aiMessage();
      assertThat(answer.toolExecutionRequests()).hasSize(1);
      ToolExecutionRequest call = answer.toolExecutionRequests().get(0);
      assertThat(call.name()).isEqualTo("delegate");
      JsonNode arguments = JSON.readTree(call.arguments());
      roles.add(arguments.path("role").asText());
      assertThat(arguments.path("task").asText()).contains(TASK);
      conversation.add(answer);
      conversation.add(
          ToolExecutionResultMessage.from(call, arguments.path("role").asText() + " is done"));
    }
    AiMessage summary = ask(model, conversation, delegate).aiMessage();

    assertThat(roles).containsExactly("billing", "technical", "escalation");
    assertThat(summary.hasToolExecutionRequests()).isFalse();
    assertThat(summary.text())
        .isEqualTo(
            "Summary of delegated work:\n"
                + "- billing: billing is done\n"
                + "- technical: technical is done\n"
                + "- escalation: escalation is done");
  }

  @Test
  void skipsRolesAlreadyDelegatedToAndReadsRolesFromADescription() {
    ToolSpecification delegate =
        ToolSpecification.builder()
            .name("delegate")
            .parameters(
                JsonObjectSchema.builder()
                    .addStringProperty("role", "Role to delegate to, one of: billing, technical")
                    .addStringProperty("task")
                    .build())
            .build();
    ToolExecutionRequest earlier =
        ToolExecutionRequest.builder()
            .id("c1")
            .name("delegate")
            .arguments("{\"role\":\"billing\",\"task\":\"refund\"}")
            .build();
    List<ChatMessage> conversation =
        List.of(
            UserMessage.from(TASK),
            AiMessage.from(earlier),
            ToolExecutionResultMessage.from(earlier, "refunded"));

    AiMessage answer = ask(new MockChatModel(), conversation, delegate).aiMessage();

    assertThat(answer.toolExecutionRequests())
        .singleElement()
        .satisfies(call -> assertThat(call.arguments()).contains("\"role\":\"technical\""));
  }

  @Test
  void answersASchemaRequestWithAValidInstance() throws Exception {
    String schema = SchemaInstanceGeneratorTest.blogWriterResearcherSchema();
    String prompt =
        "List 3 key points.\n\n"
            + MockReplies.SCHEMA_MARKER
            + "\n```json\n"
            + schema.strip()
            + "\n```";

    String text = ask(new MockChatModel(), List.of(UserMessage.from(prompt))).aiMessage().text();

    JsonNode answer = JSON.readTree(text);
    assertThat(JsonSchemas.violations(schema, answer)).isEmpty();
    assertThat(answer.path("keyPoints")).hasSize(3);
  }

  @Test
  void findsTheSchemaInAnEarlierUserMessageAfterFeedback() throws Exception {
    String schema =
        "{\"type\":\"object\",\"required\":[\"n\"],\"properties\":{\"n\":{\"type\":\"integer\"}}}";
    List<ChatMessage> conversation =
        List.of(
            UserMessage.from("Count.\n\n" + MockReplies.SCHEMA_MARKER + "\n" + schema),
            AiMessage.from("twelve"),
            UserMessage.from("Your answer does not match the required JSON Schema: not JSON"));

    String text = ask(new MockChatModel(), conversation).aiMessage().text();

    assertThat(JsonSchemas.violations(schema, JSON.readTree(text))).isEmpty();
  }

  @Test
  void answersValidWhenAskedForValidOrInvalid() {
    String prompt =
        "Does this answer the question? Reply with exactly one word: VALID or INVALID.\n\n"
            + "--- Output to check ---\nIt does.";

    assertThat(ask(new MockChatModel(), List.of(UserMessage.from(prompt))).aiMessage().text())
        .isEqualTo("VALID");
  }

  @Test
  void answersValidToTheWorkflowsSemanticCheck() {
    String prompt =
        "Is this analysis grounded in data?\n\n--- Output to check ---\nRevenue rose 4%.";

    assertThat(ask(new MockChatModel(), List.of(UserMessage.from(prompt))).aiMessage().text())
        .isEqualTo("VALID");
  }

  @Test
  void defaultAnswerIsShortDeterministicAndNamesModelAndRole() {
    List<ChatMessage> conversation =
        List.of(SystemMessage.from("Role: researcher\nYou research."), UserMessage.from(TASK));

    String first = ask(new MockChatModel(), conversation).aiMessage().text();
    String second = ask(new MockChatModel(), conversation).aiMessage().text();

    assertThat(first).isEqualTo("[mock:gpt-4o researcher] " + TASK).isEqualTo(second);
    String withoutHint =
        ask(new MockChatModel(), List.of(SystemMessage.from("You write."), UserMessage.from("x")))
            .aiMessage()
            .text();
    assertThat(withoutHint).matches("\\[mock:gpt-4o #[0-9a-f]{6}] x");
  }

  @Test
  void longTasksAreCutToOneLine() {
    String task = "line one\n" + "word ".repeat(100);

    String text = ask(new MockChatModel(), List.of(UserMessage.from(task))).aiMessage().text();

    assertThat(text).doesNotContain("\n").startsWith("[mock:gpt-4o] line one word");
    assertThat(text.length()).isLessThanOrEqualTo("[mock:gpt-4o] ".length() + 161);
  }

  @Test
  void tokenUsageIsCharactersOverFour() {
    String prompt = "x".repeat(400);

    ChatResponse response = ask(new MockChatModel(), List.of(UserMessage.from(prompt)));

    assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(100);
    assertThat(response.tokenUsage().outputTokenCount())
        .isEqualTo(Math.max(1, response.aiMessage().text().length() / 4));
    assertThat(MockChatModel.estimate(0)).isEqualTo(1);
  }

  @Test
  void failRateOneAlwaysFailsRetryablyAndZeroNever() {
    MockChatModel failing = new MockChatModel("m", MockChatModel.Options.DEFAULT.withFailRate(1.0));
    MockChatModel healthy = new MockChatModel("m", MockChatModel.Options.DEFAULT.withFailRate(0.0));
    List<ChatMessage> hello = List.of(UserMessage.from("hello"));

    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> ask(failing, hello)).isInstanceOf(RetriableException.class);
      assertThat(ask(healthy, hello).aiMessage().text()).isNotBlank();
    }
  }

  @Test
  void failuresFollowTheSeed() {
    MockChatModel.Options half = MockChatModel.Options.DEFAULT.withFailRate(0.5).withSeed(7);
    List<Boolean> first = failures(new MockChatModel("m", half));
    List<Boolean> second = failures(new MockChatModel("m", half));

    assertThat(first).isEqualTo(second).contains(true, false);
  }

  private static List<Boolean> failures(MockChatModel model) {
    List<Boolean> failed = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      try {
        ask(model, List.of(UserMessage.from("hi")));
        failed.add(false);
      } catch (InternalServerException e) {
        failed.add(true);
      }
    }
    return failed;
  }

  @Test
  void latencyDelaysTheAnswer() {
    MockChatModel slow =
        new MockChatModel("m", MockChatModel.Options.DEFAULT.withLatency(Duration.ofMillis(80)));
    long start = System.nanoTime();

    ask(slow, List.of(UserMessage.from("hi")));

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(80));
  }

  @Test
  void scriptedRepliesComeInOrderThenTheMockAnswersAsUsual() {
    MockChatModel model =
        MockChatModel.scripted(
            List.of(
                ScriptedReply.text("first").withUsage(11, 3),
                ScriptedReply.toolCalls(new ToolCall("t1", "search", "{\"q\":\"x\"}")),
                ScriptedReply.error("rate-limit"),
                ScriptedReply.error("auth")));
    List<ChatMessage> hi = List.of(UserMessage.from("hi"));

    ChatResponse first = ask(model, hi);
    assertThat(first.aiMessage().text()).isEqualTo("first");
    assertThat(first.tokenUsage().inputTokenCount()).isEqualTo(11);
    assertThat(first.tokenUsage().outputTokenCount()).isEqualTo(3);
    assertThat(ask(model, hi).aiMessage().toolExecutionRequests())
        .singleElement()
        .satisfies(
            call -> {
              assertThat(call.id()).isEqualTo("t1");
              assertThat(call.name()).isEqualTo("search");
              assertThat(call.arguments()).isEqualTo("{\"q\":\"x\"}");
            });
    assertThatThrownBy(() -> ask(model, hi)).isInstanceOf(RateLimitException.class);
    assertThatThrownBy(() -> ask(model, hi)).isInstanceOf(AuthenticationException.class);
    assertThat(ask(model, hi).aiMessage().text()).isEqualTo("[mock:gpt-4o] hi");
  }

  @Test
  void loadsAScriptFromYaml() throws IOException, URISyntaxException {
    Path file = Path.of(getClass().getResource("/llm/mock-script.yaml").toURI());

    List<ScriptedReply> replies = MockChatModel.loadScript(file);

    assertThat(replies).hasSize(4);
    assertThat(replies.get(0).text()).isEqualTo("Here is the plan.");
    assertThat(replies.get(0).inputTokens()).isEqualTo(120);
    assertThat(replies.get(1).toolCalls())
        .containsExactly(
            new ToolCall(
                "call-1", "delegate", "{\"role\":\"billing\",\"task\":\"Refund order 42\"}"));
    assertThat(replies.get(2).toException()).isInstanceOf(RateLimitException.class);
    assertThat(replies.get(3).toException()).isInstanceOf(InternalServerException.class);
  }

  @Test
  void loadsAScriptFromJsonAndRejectsUnknownErrors(@TempDir Path dir) throws IOException {
    Path json = Files.writeString(dir.resolve("script.json"), "[\"hello\", {\"text\": \"bye\"}]");
    Path bad = Files.writeString(dir.resolve("bad.yaml"), "replies:\n  - error: teapot\n");

    assertThat(MockChatModel.loadScript(json))
        .extracting(ScriptedReply::text)
        .containsExactly("hello", "bye");
    assertThatThrownBy(() -> MockChatModel.loadScript(bad))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("replies[0]")
        .hasMessageContaining("teapot");
  }
}
