package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkRegistry;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/** What a team refers to, read from the API server in the run's namespace. */
public final class ClusterReferences implements RunPlanner.References {
  private final KubernetesClient client;
  private final String namespace;

  public ClusterReferences(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  @Override
  public Optional<JsonNode> agent(String name) {
    ArkAgent agent = client.resources(ArkAgent.class).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(agent).map(a -> tree(a).path("spec"));
  }

  @Override
  public Optional<JsonNode> settings(String name) {
    ArkSettings settings =
        client.resources(ArkSettings.class).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(settings).map(s -> tree(s).path("spec"));
  }

  @Override
  public Optional<JsonNode> registry(String name) {
    ArkRegistry registry =
        client.resources(ArkRegistry.class).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(registry).map(this::tree);
  }

  @Override
  public List<JsonNode> agents() {
    return client.resources(ArkAgent.class).inNamespace(namespace).list().getItems().stream()
        .map(this::tree)
        .toList();
  }

  @Override
  public Optional<JsonNode> team(String name) {
    ArkTeam team = client.resources(ArkTeam.class).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(team).map(t -> tree(t).path("spec"));
  }

  @Override
  public Optional<JsonNode> memory(String name) {
    ArkMemory memory =
        client.resources(ArkMemory.class).inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(memory).map(m -> tree(m).path("spec"));
  }

  @Override
  public Optional<String> key(boolean secret, String name, String key) {
    if (secret) {
      Secret s = client.secrets().inNamespace(namespace).withName(name).get();
      if (s == null) {
        return Optional.empty();
      }
      if (s.getData() != null && s.getData().containsKey(key)) {
        return Optional.of(
            new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
      }
      return Optional.ofNullable(s.getStringData() == null ? null : s.getStringData().get(key));
    }
    ConfigMap cm = client.configMaps().inNamespace(namespace).withName(name).get();
    return Optional.ofNullable(cm == null || cm.getData() == null ? null : cm.getData().get(key));
  }

  private JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }
}
