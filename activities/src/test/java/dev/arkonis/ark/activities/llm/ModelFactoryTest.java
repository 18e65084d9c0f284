package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.arkonis.ark.workflows.api.AgentActivities;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.temporal.failure.ApplicationFailure;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ModelFactoryTest {
  private static AgentSpec agent(String model, String provider) {
    return new AgentSpec(
        "r",
        "team-r",
        "ark/ns/team-r",
        model,
        provider,
        "",
        0,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  /** KEYS names variables to set, separated by '+'; '-' for none. */
  @ParameterizedTest(name = "model={0} provider={1} override={2} AGENT_PROVIDER={3} keys={4}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          # model,            provider,  override, AGENT_PROVIDER, keys,                    expected
          claude-sonnet-4-6,  -,         -,        -,              -,                       anthropic
          gpt-4o,             -,         -,        -,              -,                       openai
          o1-mini,            -,         -,        -,              -,                       openai
          o3,                 -,         -,        -,              -,                       openai
          gemini-2.5-flash,   -,         -,        -,              -,                       gemini
          qwen2.5:7b,         -,         -,        -,              -,                       openai
          llama3.2,           ollama,    -,        -,              -,                       ollama
          gpt-4o,             anthropic, mock,     openai,         -,                       mock
          gpt-4o,             anthropic, -,        openai,         -,                       anthropic
          gpt-4o,             -,         mock,     anthropic,      -,                       mock
          gpt-4o,             -,         -,        anthropic,      -,                       anthropic
          gpt-4o,             ' ',       -,        ' ',            -,                       openai
          gpt-4o,             OpenAI,    -,        -,              -,                       openai
          gemini-pro,         google,    -,        -,              -,                       gemini
          gpt-4o,             -,         auto,     -,              -,                       mock
          gpt-4o,             -,         auto,     -,              OPENAI_API_KEY,          openai
          claude-3-haiku,     -,         auto,     -,              OPENAI_API_KEY,          mock
          claude-3-haiku,     -,         auto,     -,              ANTHROPIC_API_KEY,       anthropic
          gemini-2.5-pro,     -,         auto,     -,              GOOGLE_API_KEY,          gemini
          qwen2.5:7b,         -,         auto,     -,              OPENAI_API_KEY,          mock
          qwen2.5:7b,         -,         auto,     -,              OPENAI_BASE_URL,         openai
          llama3.2,           ollama,    auto,     -,              -,                       mock
          llama3.2,           ollama,    auto,     -,              OLLAMA_BASE_URL,         ollama
          gpt-4o,             -,         -,        auto,           -,                       mock
          gpt-4o,             -,         -,        auto,           OPENAI_API_KEY,          openai
          gpt-4o,             mock,      auto,     -,              OPENAI_API_KEY,          mock
          gpt-4o,             openai,    mock,     -,              OPENAI_API_KEY,          mock
          gpt-4o,             -,         azure,    -,              -,                       azure
          """)
  void resolvesTheProvider(
      String model,
      String provider,
      String override,
      String agentProvider,
      String keys,
      String expected) {
    Map<String, String> env = new HashMap<>();
    if (agentProvider != null) {
      env.put("AGENT_PROVIDER", agentProvider);
    }
    if (keys != null) {
      for (String key : keys.split("\\+")) {
        env.put(key, key.endsWith("URL") ? "http://localhost:11434/v1" : "secret-value-123");
      }
    }

    assertThat(ModelFactory.resolveProvider(agent(model, provider), override, env))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} with {1}: {2}")
  @CsvSource(
      nullValues = "-",
      textBlock =
          """
          openai,    OPENAI_API_KEY,     true
          openai,    OPENAI_BASE_URL,    true
          openai,    ANTHROPIC_API_KEY,  false
          anthropic, ANTHROPIC_API_KEY,  true
          anthropic, -,                  false
          gemini,    GEMINI_API_KEY,     true
          gemini,    GOOGLE_API_KEY,     true
          ollama,    OLLAMA_BASE_URL,    true
          ollama,    -,                  false
          mock,      -,                  true
          azure,     OPENAI_API_KEY,     false
          """)
  void knowsWhetherAProviderIsAvailable(String provider, String variable, boolean expected) {
    Map<String, String> env = variable == null ? Map.of() : Map.of(variable, "x-value");

    assertThat(ModelFactory.available(provider, env)).isEqualTo(expected);
  }

  @Test
  void blankValuesDoNotCount() {
    assertThat(ModelFactory.available("openai", Map.of("OPENAI_API_KEY", "  "))).isFalse();
  }

  @Test
  void buildsEachProvidersModelOnceAndCachesIt() {
    ModelFactory factory =
        new ModelFactory(
            Map.of(
                "OPENAI_API_KEY", "sk-test-aaaaaaaa",
                "ANTHROPIC_API_KEY", "sk-ant-bbbbbbbb",
                "GEMINI_API_KEY", "gem-cccccccc",
                "OLLAMA_BASE_URL", "http://127.0.0.1:1"),
            null,
            null);

    assertThat(factory.model(agent("gpt-4o", ""))).isInstanceOf(OpenAiChatModel.class);
    assertThat(factory.model(agent("claude-sonnet-4-6", "")))
        .isInstanceOf(AnthropicChatModel.class);
    assertThat(factory.model(agent("gemini-2.5-flash", "")))
        .isInstanceOf(GoogleAiGeminiChatModel.class);
    assertThat(factory.model(agent("llama3.2", "ollama"))).isInstanceOf(OllamaChatModel.class);
    assertThat(factory.model(agent("anything", "mock"))).isInstanceOf(MockChatModel.class);
    assertThat(factory.model(agent("gpt-4o", ""))).isSameAs(factory.model(agent("gpt-4o", "")));
    assertThat(factory.model(agent("gpt-4o", "")))
        .isNotSameAs(factory.model(agent("gpt-4o-mini", "")));
  }

  @Test
  void aMissingKeyIsANonRetryableAuthError() {
    ModelFactory factory = new ModelFactory(Map.of(), null, null);

    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class, () -> factory.model(agent("claude-sonnet-4-6", "")));

    assertThat(failure.getType()).isEqualTo(AgentActivities.AUTH_ERROR);
    assertThat(failure.isNonRetryable()).isTrue();
    assertThat(failure.getOriginalMessage())
        .isEqualTo(
            "no API key for anthropic; set ANTHROPIC_API_KEY for the agent's workers,"
                + " or use provider mock");
  }

  @Test
  void anUnknownProviderIsAnInvalidRequest() {
    ApplicationFailure failure =
        catchThrowableOfType(
            ApplicationFailure.class,
            () -> new ModelFactory(Map.of(), null, null).model(agent("gpt-4o", "azure")));

    assertThat(failure.getType()).isEqualTo(AgentActivities.INVALID_REQUEST);
    assertThat(failure.getOriginalMessage())
        .contains("unknown provider 'azure'")
        .contains("openai, anthropic, gemini, ollama, mock");
  }

  @Test
  void aScriptIsSharedByAllMockAgents() {
    ModelFactory factory =
        new ModelFactory(
            Map.of(),
            "mock",
            MockChatModel.Options.DEFAULT.withScript(List.of(ScriptedReply.text("one"))));

    assertThat(factory.model(agent("a", ""))).isSameAs(factory.model(agent("b", "")));
  }

  @Test
  void redactsKnownSecrets() {
    ModelFactory factory =
        new ModelFactory(
            Map.of("OPENAI_API_KEY", "sk-abcdefgh1234", "HOME", "/home/me"), null, null);

    assertThat(factory.redact("key sk-abcdefgh1234 at /home/me")).isEqualTo("key *** at /home/me");
  }
}
