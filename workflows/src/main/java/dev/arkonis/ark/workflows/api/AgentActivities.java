package dev.arkonis.ark.workflows.api;

import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Activities executed by an agent's workers on its task queue {@code ark/<namespace>/<agent>}.
 * Every LLM turn is one {@code chat} activity, so each prompt and answer is in the run's history.
 */
@ActivityInterface
public interface AgentActivities {
  /** Error type of a bad or missing API key (not retried). */
  String AUTH_ERROR = "AuthError";

  /** Error type of a request the provider rejects as invalid (not retried). */
  String INVALID_REQUEST = "InvalidRequest";

  /** Error type of a transient provider failure (retried with backoff). */
  String PROVIDER_UNAVAILABLE = "ProviderUnavailable";

  @ActivityMethod(name = "chat")
  ChatResponse chat(ChatRequest request);
}
