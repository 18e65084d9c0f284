package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.bridge.reconcile.ArkTeamReconciler;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkNotify;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Which ArkNotify an event goes to: a team's {@code spec.notifyRef}; an agent's own {@code
 * spec.notifyRef}, else (a team's managed agent, label {@code arkonis.dev/team}) its team's.
 */
final class NotifyTargets {
  private final KubernetesClient client;

  NotifyTargets(KubernetesClient client) {
    this.client = client;
  }

  /** The ArkNotify name, or null when the subject has none (or is gone). */
  String notifyName(String namespace, String subjectKind, String subjectName) {
    if ("ArkAgent".equals(subjectKind)) {
      ArkAgent agent = get(ArkAgent.class, namespace, subjectName);
      if (agent == null) {
        return null;
      }
      String own = ref(tree(agent));
      if (own != null) {
        return own;
      }
      String team =
          agent.getMetadata().getLabels() == null
              ? null
              : agent.getMetadata().getLabels().get(ArkTeamReconciler.TEAM_LABEL);
      return team == null ? null : notifyName(namespace, "ArkTeam", team);
    }
    ArkTeam team = get(ArkTeam.class, namespace, subjectName);
    return team == null ? null : ref(tree(team));
  }

  /** The ArkNotify as JSON, or null when it does not exist. */
  JsonNode notify(String namespace, String name) {
    ArkNotify notify = get(ArkNotify.class, namespace, name);
    return notify == null ? null : tree(notify);
  }

  <T extends HasMetadata> T get(Class<T> type, String namespace, String name) {
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  JsonNode tree(Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }

  private static String ref(JsonNode object) {
    String name = object.path("spec").path("notifyRef").path("name").asText("");
    return name.isEmpty() ? null : name;
  }
}
