package dev.arkonis.ark.bridge.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.reconcile.ArkTeamReconciler;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.NotifyActivities.Notification;
import dev.arkonis.ark.workflows.api.RunPlan;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The template context of a notification: {@code .team}, {@code .run} and {@code .agent} as the API
 * shows them (read now) with {@code name} and {@code namespace} at the top, plus {@code
 * .run.dashboardUrl} (the run's workflow in the Temporal Web UI when its URL is configured, else
 * empty), {@code .agent.status.dailyTokensUsed} and {@code .agent.status.budgetResetsInMinutes};
 * then overlaid with the notification's facts (which win).
 */
final class NotifyContext {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final NotifyTargets targets;
  private final String temporalUiUrl;
  private final String temporalNamespace;
  private final Clock clock;

  /**
   * @param temporalUiUrl base URL of the Temporal Web UI, or null/blank for no dashboard links
   */
  NotifyContext(
      NotifyTargets targets, String temporalUiUrl, String temporalNamespace, Clock clock) {
    this.targets = targets;
    this.temporalUiUrl =
        temporalUiUrl == null || temporalUiUrl.isBlank()
            ? null
            : temporalUiUrl.replaceAll("/+$", "");
    this.temporalNamespace = temporalNamespace == null ? "default" : temporalNamespace;
    this.clock = clock;
  }

  Map<String, Object> build(Notification n) {
    String ns = n.namespace();
    ObjectNode data = JSON.createObjectNode();
    String team = null;
    if ("ArkAgent".equals(n.subjectKind())) {
      ArkAgent agent = targets.get(ArkAgent.class, ns, n.subjectName());
      ObjectNode node = object(agent, n.subjectName(), ns);
      ObjectNode status = node.with("status");
      JsonNode used = status.path("dailyTokenUsage").path("totalTokens");
      if (used.isNumber()) {
        status.put("dailyTokensUsed", used.asLong());
      }
      String resetsAt = status.path("budgetResetsAt").asText("");
      if (!resetsAt.isEmpty()) {
        long minutes =
            Math.max(0, Duration.between(Instant.now(clock), Instant.parse(resetsAt)).toMinutes());
        status.put("budgetResetsInMinutes", minutes);
      }
      data.set("agent", node);
      if (agent != null && agent.getMetadata().getLabels() != null) {
        team = agent.getMetadata().getLabels().get(ArkTeamReconciler.TEAM_LABEL);
      }
    } else {
      team = n.subjectName();
    }
    if (team != null) {
      data.set("team", object(targets.get(ArkTeam.class, ns, team), team, ns));
    }
    if (n.run() != null) {
      ObjectNode run = object(targets.get(ArkRun.class, ns, n.run()), n.run(), ns);
      run.put("dashboardUrl", dashboardUrl(ns, n.run()));
      data.set("run", run);
    }
    merge(data, JSON.valueToTree(n.facts()));
    data.put("event", n.type());
    return JSON.convertValue(data, Map.class);
  }

  /** The run's workflow in the Temporal Web UI, or empty when no UI URL is configured. */
  String dashboardUrl(String namespace, String run) {
    if (temporalUiUrl == null) {
      return "";
    }
    return temporalUiUrl
        + "/namespaces/"
        + URLEncoder.encode(temporalNamespace, StandardCharsets.UTF_8)
        + "/workflows/"
        + URLEncoder.encode(RunPlan.workflowId(namespace, run), StandardCharsets.UTF_8);
  }

  private ObjectNode object(Object resource, String name, String namespace) {
    ObjectNode node =
        resource == null ? JSON.createObjectNode() : (ObjectNode) targets.tree(resource).deepCopy();
    if (node.path("metadata").isObject()) {
      ((ObjectNode) node.get("metadata")).remove("managedFields");
    }
    node.put("name", name);
    node.put("namespace", namespace);
    return node;
  }

  /** Deep merge: objects merge, anything else in {@code overlay} replaces. */
  static void merge(ObjectNode target, JsonNode overlay) {
    overlay
        .fields()
        .forEachRemaining(
            field -> {
              JsonNode existing = target.get(field.getKey());
              if (existing instanceof ObjectNode object && field.getValue().isObject()) {
                merge(object, field.getValue());
              } else {
                target.set(field.getKey(), field.getValue().deepCopy());
              }
            });
  }
}
