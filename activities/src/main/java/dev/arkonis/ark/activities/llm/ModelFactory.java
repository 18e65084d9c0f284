package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Picks the provider for an agent and builds (and caches) its langchain4j {@link ChatModel}.
 *
 * <p>Provider, first that applies: the override given to the worker (the CLI's {@code --provider},
 * for one run); the agent's {@code provider} field; env {@code AGENT_PROVIDER}; the model name
 * ({@code claude-*} → anthropic, {@code gpt-*}/{@code o1*}/{@code o3*} → openai, {@code gemini-*} →
 * gemini, anything else → openai-compatible at {@code OPENAI_BASE_URL}, which is how Ollama and
 * vLLM are reached). An override (or, without one, {@code AGENT_PROVIDER}) of {@code auto} means:
 * the provider the other rules pick (the agent's {@code provider} field included) when its key or
 * base URL is in the environment, else {@code mock}; a non-OpenAI model name on openai needs {@code
 * OPENAI_BASE_URL} to count as available.
 *
 * <p>Environment read (from the injected map only): {@code OPENAI_API_KEY}, {@code OPENAI_BASE_URL}
 * (e.g. {@code http://localhost:11434/v1}), {@code ANTHROPIC_API_KEY}, {@code ANTHROPIC_BASE_URL},
 * {@code GEMINI_API_KEY} or {@code GOOGLE_API_KEY}, {@code OLLAMA_BASE_URL} (native Ollama API,
 * default {@code http://localhost:11434}), {@code AGENT_PROVIDER}.
 *
 * <p>With a per-role {@link MockScript}, a {@code task} turn of an agent the mock provider serves
 * gets the script's list for its role (or ArkAgent name, {@link MockScript#keyFor}): one {@link
 * MockChatModel} per script key, replies consumed in order by every caller of this factory; the
 * built-in rules answer when the list is used up.
 *
 * <p>Every model is built with {@code maxRetries(0)}: Temporal's retry policy does the retrying.
 * The HTTP timeout is the agent's {@code timeoutSeconds} (default {@value
 * #DEFAULT_TIMEOUT_SECONDS}).
 */
public final class ModelFactory implements ChatModels {
  public static final String OPENAI = "openai";
  public static final String ANTHROPIC = "anthropic";
  public static final String GEMINI = "gemini";
  public static final String OLLAMA = "ollama";
  public static final String MOCK = "mock";
  public static final String AUTO = "auto";
  public static final List<String> PROVIDERS = List.of(OPENAI, ANTHROPIC, GEMINI, OLLAMA, MOCK);
  public static final int DEFAULT_TIMEOUT_SECONDS = 120;
  static final String DEFAULT_OLLAMA_URL = "http://localhost:11434";

  private static final Map<String, String> ALIASES =
      Map.of("google", GEMINI, "openai-compatible", OPENAI, "vllm", OPENAI, "claude", ANTHROPIC);

  private final Map<String, String> env;
  private final String providerOverride;
  private final MockChatModel.Options mockOptions;
  private final MockChatModel scriptedMock;
  private final MockScript roleScript;
  private final Map<String, MockChatModel> scriptedRoles = new ConcurrentHashMap<>();
  private final List<String> secrets;
  private final Map<Key, ChatModel> cache = new ConcurrentHashMap<>();

  private record Key(String provider, String model, int timeoutSeconds) {}

  /** Reads the process environment; no override; default mock. */
  public ModelFactory() {
    this(System.getenv(), null, MockChatModel.Options.DEFAULT);
  }

  /**
   * @param env where keys and URLs come from (e.g. {@code System.getenv()})
   * @param providerOverride provider for every agent ({@code openai}, ..., {@code mock}), {@code
   *     auto}, or null
   * @param mockOptions latency, failure rate and script of the mock provider; with a script, all
   *     mock agents share one scripted model (replies in global order)
   */
  public ModelFactory(
      Map<String, String> env, String providerOverride, MockChatModel.Options mockOptions) {
    this(env, providerOverride, mockOptions, null);
  }

  /**
   * As above, with a per-role script for the mock provider's {@code task} turns (null for none).
   */
  public ModelFactory(
      Map<String, String> env,
      String providerOverride,
      MockChatModel.Options mockOptions,
      MockScript roleScript) {
    this.roleScript = roleScript;
    this.env = Map.copyOf(env == null ? Map.of() : withoutNulls(env));
    this.providerOverride = providerOverride;
    this.mockOptions = mockOptions == null ? MockChatModel.Options.DEFAULT : mockOptions;
    this.scriptedMock =
        this.mockOptions.script().isEmpty() ? null : new MockChatModel("mock", this.mockOptions);
    List<String> found = new ArrayList<>();
    this.env.forEach(
        (name, value) -> {
          if ((name.contains("KEY") || name.contains("TOKEN") || name.contains("SECRET"))
              && value.length() >= 8) {
            found.add(value);
          }
        });
    this.secrets = List.copyOf(found);
  }

  @Override
  public String provider(AgentSpec agent) {
    return resolveProvider(agent, providerOverride, env);
  }

  @Override
  public ChatModel model(AgentSpec agent) {
    String provider = provider(agent);
    if (!PROVIDERS.contains(provider)) {
      throw ProviderErrors.invalid(
          "unknown provider '"
              + provider
              + "' for agent "
              + agent.agent()
              + "; use one of "
              + String.join(", ", PROVIDERS));
    }
    int timeout = agent.timeoutSeconds() > 0 ? agent.timeoutSeconds() : DEFAULT_TIMEOUT_SECONDS;
    return cache.computeIfAbsent(new Key(provider, agent.model(), timeout), this::build);
  }

  @Override
  public ChatModel model(AgentSpec agent, String purpose) {
    ChatModel model = model(agent);
    if (roleScript == null || !"task".equals(purpose) || !MOCK.equals(provider(agent))) {
      return model;
    }
    String key = roleScript.keyFor(agent);
    return key == null
        ? model
        : scriptedRoles.computeIfAbsent(
            key,
            k ->
                new MockChatModel(
                    agent.model(), mockOptions.withScript(roleScript.replies().get(k))));
  }

  @Override
  public String redact(String text) {
    String result = text;
    for (String secret : secrets) {
      result = result.replace(secret, "***");
    }
    return result;
  }

  private ChatModel build(Key key) {
    Duration timeout = Duration.ofSeconds(key.timeoutSeconds());
    switch (key.provider()) {
      case OPENAI -> {
        String apiKey = get("OPENAI_API_KEY");
        String baseUrl = get("OPENAI_BASE_URL");
        if (apiKey == null && baseUrl == null) {
          throw ProviderErrors.missingKey(OPENAI);
        }
        OpenAiChatModel.OpenAiChatModelBuilder builder =
            OpenAiChatModel.builder().modelName(key.model()).timeout(timeout).maxRetries(0);
        if (apiKey != null) {
          builder.apiKey(apiKey);
        }
        if (baseUrl != null) {
          builder.baseUrl(baseUrl);
        }
        return builder.build();
      }
      case ANTHROPIC -> {
        String apiKey = get("ANTHROPIC_API_KEY");
        if (apiKey == null) {
          throw ProviderErrors.missingKey(ANTHROPIC);
        }
        AnthropicChatModel.AnthropicChatModelBuilder builder =
            AnthropicChatModel.builder()
                .apiKey(apiKey)
                .modelName(key.model())
                .timeout(timeout)
                .maxRetries(0);
        String baseUrl = get("ANTHROPIC_BASE_URL");
        if (baseUrl != null) {
          builder.baseUrl(baseUrl);
        }
        return builder.build();
      }
      case GEMINI -> {
        String apiKey =
            get("GEMINI_API_KEY") != null ? get("GEMINI_API_KEY") : get("GOOGLE_API_KEY");
        if (apiKey == null) {
          throw ProviderErrors.missingKey(GEMINI);
        }
        return GoogleAiGeminiChatModel.builder()
            .apiKey(apiKey)
            .modelName(key.model())
            .timeout(timeout)
            .maxRetries(0)
            .build();
      }
      case OLLAMA -> {
        String baseUrl = get("OLLAMA_BASE_URL");
        return OllamaChatModel.builder()
            .baseUrl(baseUrl == null ? DEFAULT_OLLAMA_URL : baseUrl)
            .modelName(key.model())
            .timeout(timeout)
            .maxRetries(0)
            .build();
      }
      default -> {
        return scriptedMock != null ? scriptedMock : new MockChatModel(key.model(), mockOptions);
      }
    }
  }

  private String get(String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }

  /**
   * The provider for an agent (rules in the class description). Unknown names are returned as given
   * (lower case); {@link #model} rejects them.
   */
  public static String resolveProvider(AgentSpec agent, String override, Map<String, String> env) {
    Map<String, String> environment = env == null ? Map.of() : env;
    String explicit = normalize(agent.provider());
    String given = normalize(override);
    String fromEnv = normalize(environment.get("AGENT_PROVIDER"));
    boolean auto =
        explicit.equals(AUTO) || given.equals(AUTO) || (given.isEmpty() && fromEnv.equals(AUTO));
    String provider = byModel(agent.model());
    for (String candidate : List.of(fromEnv, explicit, given)) { // later wins
      if (!candidate.isEmpty() && !candidate.equals(AUTO)) {
        provider = candidate;
      }
    }
    if (auto && !provider.equals(MOCK) && !usable(provider, agent.model(), environment)) {
      return MOCK;
    }
    return provider;
  }

  /** The provider implied by a model name. */
  public static String byModel(String model) {
    String m = model == null ? "" : model.strip().toLowerCase(Locale.ROOT);
    if (m.startsWith("claude")) {
      return ANTHROPIC;
    }
    if (m.startsWith("gemini-")) {
      return GEMINI;
    }
    return OPENAI; // gpt-*, o1*, o3*, and anything else via an OpenAI-compatible OPENAI_BASE_URL
  }

  /** True for model names OpenAI itself serves ({@code gpt-*}, {@code o1*}, {@code o3*}). */
  public static boolean isOpenAiModel(String model) {
    String m = model == null ? "" : model.strip().toLowerCase(Locale.ROOT);
    return m.startsWith("gpt-") || m.startsWith("o1") || m.startsWith("o3");
  }

  /** True when the environment has what the provider needs (a key, or a base URL). */
  public static boolean available(String provider, Map<String, String> env) {
    Map<String, String> e = env == null ? Map.of() : env;
    return switch (normalize(provider)) {
      case OPENAI -> has(e, "OPENAI_API_KEY") || has(e, "OPENAI_BASE_URL");
      case ANTHROPIC -> has(e, "ANTHROPIC_API_KEY");
      case GEMINI -> has(e, "GEMINI_API_KEY") || has(e, "GOOGLE_API_KEY");
      case OLLAMA -> has(e, "OLLAMA_BASE_URL");
      case MOCK -> true;
      default -> false;
    };
  }

  /**
   * Like {@link #available}, but a non-OpenAI model on openai also needs {@code OPENAI_BASE_URL}.
   */
  static boolean usable(String provider, String model, Map<String, String> env) {
    if (OPENAI.equals(provider) && !isOpenAiModel(model)) {
      return has(env, "OPENAI_BASE_URL");
    }
    return available(provider, env);
  }

  /** The variable holding the provider's API key, or null when it has none. */
  public static String keyVariable(String provider) {
    return switch (normalize(provider)) {
      case OPENAI -> "OPENAI_API_KEY";
      case ANTHROPIC -> "ANTHROPIC_API_KEY";
      case GEMINI -> "GEMINI_API_KEY (or GOOGLE_API_KEY)";
      default -> null;
    };
  }

  /** The variable holding the provider's base URL (for error messages). */
  public static String urlVariable(String provider) {
    return switch (normalize(provider)) {
      case OPENAI -> "OPENAI_BASE_URL";
      case ANTHROPIC -> "ANTHROPIC_BASE_URL";
      case OLLAMA -> "OLLAMA_BASE_URL";
      default -> "the provider's base URL";
    };
  }

  /** Whether the provider accepts a JSON response format without a schema (not Anthropic). */
  public static boolean supportsJsonMode(String provider) {
    return !ANTHROPIC.equals(provider);
  }

  /**
   * Whether the provider takes a JSON Schema response format ({@code response_format:
   * json_schema}): OpenAI and OpenAI-compatible servers (vLLM, llama.cpp, …).
   */
  public static boolean supportsJsonSchema(String provider) {
    return OPENAI.equals(provider);
  }

  private static boolean has(Map<String, String> env, String name) {
    String value = env.get(name);
    return value != null && !value.isBlank();
  }

  private static String normalize(String provider) {
    String p = provider == null ? "" : provider.strip().toLowerCase(Locale.ROOT);
    return ALIASES.getOrDefault(p, p);
  }

  private static Map<String, String> withoutNulls(Map<String, String> env) {
    Map<String, String> copy = new HashMap<>();
    env.forEach(
        (k, v) -> {
          if (k != null && v != null) {
            copy.put(k, v);
          }
        });
    return copy;
  }
}
