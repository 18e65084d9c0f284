package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.util.Optional;

/**
 * Where the chat activity reads a Secret-backed system prompt ({@link
 * AgentSpec#systemPromptSecret()}) from: the worker's own access, never the workflow. {@code ark
 * agent} reads the Secret key its pod has as environment variable, {@code ark dev} reads it from
 * its Kubernetes API, {@code ark run} from the file.
 */
@FunctionalInterface
public interface PromptSecrets {
  /** Failure type when the worker cannot read the prompt's Secret. */
  String UNAVAILABLE = "PromptSecretUnavailable";

  /**
   * The value of {@code ref}, empty when this worker has no such Secret key.
   *
   * @throws ApplicationFailure with a message naming what to fix when the key cannot be read now
   */
  Optional<String> value(SecretRef ref);

  /** Environment variable of an agent pod holding its Secret-backed prompt (secretKeyRef). */
  String ENV = "ARK_SYSTEM_PROMPT";

  /**
   * Environment variable naming the Secret key in {@link #ENV}: {@code <namespace>/<name>/<key>}.
   */
  String REF_ENV = "ARK_SYSTEM_PROMPT_REF";

  /** A worker that reads no Secrets. */
  PromptSecrets NONE = ref -> Optional.empty();

  /**
   * An agent pod's prompt Secret: the key its Deployment maps into {@link #ENV} (the pod needs no
   * API access to Secrets). A run asking for another key than the pod has (the Deployment is
   * rolling out a changed {@code systemPromptRef}) fails this attempt, retryably.
   */
  static PromptSecrets fromEnvironment(java.util.Map<String, String> env) {
    return ref -> {
      String value = env.get(ENV);
      if (value == null) {
        return Optional.empty();
      }
      String mounted = env.getOrDefault(REF_ENV, "");
      String wanted = ref.namespace() + "/" + ref.name() + "/" + ref.key();
      if (!mounted.equals(wanted)) {
        throw ApplicationFailure.newFailure(
            "this agent replica has "
                + (mounted.isEmpty() ? "an unnamed Secret key" : "Secret key " + mounted)
                + " as its system prompt, the run asks for "
                + ref
                + "; the agent's Deployment is probably rolling out a changed systemPromptRef:"
                + " the call is retried",
            UNAVAILABLE);
      }
      return Optional.of(value);
    };
  }

  /**
   * {@code agent} as the model sees it: a Secret-backed prompt resolved through {@code secrets}.
   *
   * @throws ApplicationFailure (non-retryable, {@link #UNAVAILABLE}) naming the agent and the
   *     Secret key when it cannot be read
   */
  static AgentSpec resolve(AgentSpec agent, PromptSecrets secrets) {
    SecretRef ref = agent.systemPromptSecret();
    if (ref == null) {
      return agent;
    }
    Optional<String> value = secrets.value(ref);
    if (value.isEmpty()) {
      throw ApplicationFailure.newNonRetryableFailure(
          "the system prompt of agent "
              + agent.agent()
              + " comes from "
              + ref
              + " (systemPromptRef.secretKeyRef), which this worker cannot read; create the"
              + " Secret key (or fix the reference), then run again",
          UNAVAILABLE);
    }
    return agent.withResolvedPrompt(value.get());
  }
}
