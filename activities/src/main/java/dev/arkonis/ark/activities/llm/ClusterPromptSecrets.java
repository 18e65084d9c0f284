package dev.arkonis.ark.activities.llm;

import dev.arkonis.ark.workflows.api.SecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * A Secret-backed system prompt read through a Kubernetes API: {@code ark dev}'s agent workers use
 * the same API as the rest of {@code ark dev} (the in-process one, or the cluster of {@code
 * --kubeconfig}).
 */
public final class ClusterPromptSecrets implements PromptSecrets {
  private final KubernetesClient client;

  public ClusterPromptSecrets(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public Optional<String> value(SecretRef ref) {
    Secret secret = client.secrets().inNamespace(ref.namespace()).withName(ref.name()).get();
    if (secret == null) {
      return Optional.empty();
    }
    if (secret.getData() != null && secret.getData().containsKey(ref.key())) {
      return Optional.of(
          new String(
              Base64.getDecoder().decode(secret.getData().get(ref.key())), StandardCharsets.UTF_8));
    }
    return Optional.ofNullable(
        secret.getStringData() == null ? null : secret.getStringData().get(ref.key()));
  }
}
