package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.langchain4j.model.chat.ChatModel;

/**
 * Where {@link AgentActivitiesImpl} gets the model for an agent; {@link ModelFactory} in
 * production.
 */
public interface ChatModels {
  /** The provider serving the agent: {@code openai}, {@code anthropic}, {@code gemini}, ... */
  String provider(AgentSpec agent);

  /**
   * The model for the agent.
   *
   * @throws io.temporal.failure.ApplicationFailure when the provider is unknown or has no
   *     credentials
   */
  ChatModel model(AgentSpec agent);

  /**
   * The model for one turn of the agent; {@code purpose} is the request's ({@code task}, {@code
   * validate}, ...). A per-role mock script answers only {@code task} turns.
   */
  default ChatModel model(AgentSpec agent, String purpose) {
    return model(agent);
  }

  /** The text with any secret this source knows replaced by {@code ***}. */
  default String redact(String text) {
    return text;
  }

  /** One model for every agent (tests, scripted runs). */
  static ChatModels of(String provider, ChatModel model) {
    return new ChatModels() {
      @Override
      public String provider(AgentSpec agent) {
        return provider;
      }

      @Override
      public ChatModel model(AgentSpec agent) {
        return model;
      }
    };
  }
}
