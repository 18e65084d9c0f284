package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.SecretRef;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A {@code systemPromptRef.secretKeyRef} prompt travels through the plan as a reference only; the
 * chat activity resolves it from the worker's own access.
 */
class SecretPromptTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String SECRET = "You are agent Zebra; the vault code is 7781-QX.";

  private static final String TEAM =
      """
      roles:
        - name: writer
          model: m
          provider: mock
          systemPromptRef: {secretKeyRef: {name: prompts, key: writer}}
          configRef: {name: house-style}
      pipeline:
        - role: writer
      """;

  @Test
  void thePlanCarriesTheReferenceNotTheValue() throws Exception {
    RunPlan plan = plan();
    AgentSpec writer = plan.agents().get("writer");

    assertThat(writer.systemPromptSecret()).isEqualTo(new SecretRef("ns", "prompts", "writer"));
    assertThat(writer.systemPrompt())
        .isEqualTo("You are terse.\n\n" + SecretRef.PLACEHOLDER + "\n\nCite sources.");
    String payload =
        new String(
            DefaultDataConverter.STANDARD_INSTANCE
                .toPayload(plan)
                .orElseThrow()
                .getData()
                .toByteArray(),
            StandardCharsets.UTF_8);
    assertThat(payload).doesNotContain(SECRET).doesNotContain("7781-QX").contains("prompts");
  }

  @Test
  void theChatActivityGivesTheModelTheResolvedPrompt() throws Exception {
    List<String> systemPrompts = new ArrayList<>();
    ChatModel model =
        new ChatModel() {
          @Override
          public ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
            request.messages().stream()
                .filter(SystemMessage.class::isInstance)
                .forEach(m -> systemPrompts.add(((SystemMessage) m).text()));
            return ChatResponse.builder().aiMessage(AiMessage.from("done")).build();
          }
        };
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(ChatModels.of("mock", model), () -> 1, null)
            .withPromptSecrets(
                ref ->
                    ref.equals(new SecretRef("ns", "prompts", "writer"))
                        ? Optional.of(SECRET + "\n")
                        : Optional.empty());

    chat.chat(request(plan().agents().get("writer")));

    assertThat(systemPrompts).containsExactly("You are terse.\n\n" + SECRET + "\n\nCite sources.");
  }

  @Test
  void aWorkerThatCannotReadTheSecretFailsNamingIt() throws Exception {
    AgentActivitiesImpl chat =
        new AgentActivitiesImpl(ChatModels.of("mock", new MockChatModel()), () -> 1, null);

    assertThatThrownBy(() -> chat.chat(request(plan().agents().get("writer"))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.getType()).isEqualTo(PromptSecrets.UNAVAILABLE);
              assertThat(f.isNonRetryable()).isTrue();
            })
        .hasMessageContaining("agent blog-writer")
        .hasMessageContaining("Secret ns/prompts key writer");
  }

  @Test
  void anAgentPodServesOnlyTheKeyItsDeploymentMaps() {
    PromptSecrets pod =
        PromptSecrets.fromEnvironment(
            Map.of(PromptSecrets.ENV, SECRET, PromptSecrets.REF_ENV, "ns/prompts/writer"));

    assertThat(pod.value(new SecretRef("ns", "prompts", "writer"))).contains(SECRET);
    assertThatThrownBy(() -> pod.value(new SecretRef("ns", "prompts", "editor")))
        .isInstanceOfSatisfying(
            ApplicationFailure.class, f -> assertThat(f.isNonRetryable()).isFalse())
        .hasMessageContaining("Secret key ns/prompts/writer")
        .hasMessageContaining("the run asks for Secret ns/prompts key editor");
    assertThat(PromptSecrets.fromEnvironment(Map.of()).value(new SecretRef("ns", "p", "k")))
        .isEmpty();
  }

  @Test
  void aPlaceholderTypedIntoAnInlinePromptIsNotResolved() {
    AgentSpec inline =
        new AgentSpec(
            "r",
            "a",
            "q",
            "m",
            "mock",
            "say " + SecretRef.PLACEHOLDER,
            0,
            0,
            null,
            false,
            List.of(),
            List.of(),
            List.of());

    assertThat(PromptSecrets.resolve(inline, ref -> Optional.of(SECRET)).systemPrompt())
        .isEqualTo("say " + SecretRef.PLACEHOLDER);
  }

  private static ChatRequest request(AgentSpec agent) {
    return new ChatRequest(
        "task", "writer", agent, List.of(ChatMessage.user("write")), null, List.of());
  }

  private static RunPlan plan() throws Exception {
    JsonNode settings =
        YAML.readTree("promptFragments: {persona: You are terse., outputRules: Cite sources.}");
    RunPlanner.References refs =
        new RunPlanner.References() {
          @Override
          public Optional<JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<JsonNode> settings(String name) {
            return Optional.of(settings);
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return secret && name.equals("prompts") && key.equals("writer")
                ? Optional.of(SECRET)
                : Optional.empty();
          }
        };
    return new RunPlanner(refs, notice -> {}, true)
        .requiringReferences()
        .plan(
            "ns", "blog", YAML.readTree(TEAM), "blog-1", Map.of(), Map.of(), Map.of(), null, null);
  }
}
