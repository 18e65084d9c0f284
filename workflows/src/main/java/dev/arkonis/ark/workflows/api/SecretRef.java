package dev.arkonis.ark.workflows.api;

/**
 * A reference to one key of a Kubernetes Secret, carried through workflows instead of the value:
 * the worker that needs the value resolves it inside its activity, so it never enters workflow
 * inputs, history or status.
 *
 * @param namespace the Secret's namespace
 * @param name the Secret's name
 * @param key the key in the Secret's data
 */
public record SecretRef(String namespace, String name, String key) {
  /**
   * Stands in an {@link AgentSpec#systemPrompt()} for the value of its {@link
   * AgentSpec#systemPromptSecret()}; the chat activity replaces it with the resolved value.
   */
  public static final String PLACEHOLDER = "${ark:systemPromptRef.secretKeyRef}";

  /** {@code Secret <namespace>/<name> key <key>}, for messages. */
  @Override
  public String toString() {
    return "Secret " + namespace + "/" + name + " key " + key;
  }
}
