package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.informer.Apply;
import dev.arkonis.ark.bridge.informer.Operator;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkAgentSpec;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.crd.v1alpha1.arkteamspec.Roles;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The managed ArkAgent {@code <team>-<role>} of an inline role (one with {@code model}). */
final class TeamAgents {
  /** Role fields that become the managed agent's spec, as they are. */
  static final List<String> COPIED =
      List.of(
          "model",
          "provider",
          "systemPrompt",
          "systemPromptRef",
          "replicas",
          "limits",
          "mcpServers",
          "tools",
          "envFrom",
          "env",
          "resources",
          "configRef",
          "memoryRef",
          "livenessProbe");

  private TeamAgents() {}

  static String name(ArkTeam team, String role) {
    return team.getMetadata().getName() + "-" + role;
  }

  /** True for a role the team runs on its own managed agent (inline {@code model}). */
  static boolean inline(Roles role) {
    return (role.getArkAgent() == null || role.getArkAgent().isBlank()) && !childTeam(role);
  }

  /** A role that runs another team ({@code arkTeam}): it has no agent. */
  static boolean childTeam(Roles role) {
    return role.getArkTeam() != null && !role.getArkTeam().isBlank();
  }

  /**
   * The desired managed agent. Replicas: the role's when it sets them; otherwise 1 on creation and
   * afterwards whatever the agent has (so {@code kubectl scale} and autoscalers own them).
   */
  static ArkAgent desired(
      ArkTeam team, Roles role, ArkAgent existing, KubernetesSerialization json) {
    JsonNode roleTree = json.convertValue(role, JsonNode.class);
    ObjectNode spec = JsonNodeFactory.instance.objectNode();
    for (String field : COPIED) {
      if (roleTree.hasNonNull(field)) {
        spec.set(field, roleTree.get(field));
      }
    }
    if (!spec.has("replicas")) {
      Integer current =
          existing == null || existing.getSpec() == null ? null : existing.getSpec().getReplicas();
      spec.put("replicas", current == null ? 1 : current);
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(ArkTeamReconciler.TEAM_LABEL, team.getMetadata().getName());
    labels.put(ArkTeamReconciler.ROLE_LABEL, role.getName());
    labels.put(Operator.MANAGED_BY_LABEL, Operator.MANAGED_BY);
    ArkAgent agent = new ArkAgent();
    agent.getMetadata().setName(name(team, role.getName()));
    agent.getMetadata().setNamespace(team.getMetadata().getNamespace());
    agent.getMetadata().setLabels(labels);
    agent.getMetadata().setOwnerReferences(List.of(Apply.controllerReference(team)));
    agent.setSpec(json.convertValue(spec, ArkAgentSpec.class));
    return agent;
  }

  /** Whether two agent specs say the same (compared as JSON, defaults included on both sides). */
  static boolean sameSpec(ArkAgent have, ArkAgent want, KubernetesSerialization json) {
    return Objects.equals(
        json.convertValue(have.getSpec(), JsonNode.class),
        json.convertValue(want.getSpec(), JsonNode.class));
  }
}
