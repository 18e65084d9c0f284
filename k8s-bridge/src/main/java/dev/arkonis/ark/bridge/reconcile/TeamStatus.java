package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import java.util.ArrayList;
import java.util.List;

/** A team's status as one reconcile sees it: phase, {@code roles[]}, the Ready condition. */
final class TeamStatus {
  static final String WAITING = "AgentsNotReady";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final JsonNode lastRun;
  private final ArrayNode roles = NODES.arrayNode();
  private final List<String> conflicts = new ArrayList<>();
  private final List<String> missing = new ArrayList<>();
  private final List<String> degraded = new ArrayList<>();
  private final List<String> waiting = new ArrayList<>();
  private final List<String> refusals = new ArrayList<>();
  private String refusalReason;
  private boolean missingTeam;
  private String errorReason;
  private String errorMessage;

  TeamStatus(JsonNode lastRun) {
    this.lastRun = lastRun;
  }

  /** The spec is invalid: phase Error, nothing else reported. */
  void error(String reason, String message) {
    errorReason = reason;
    errorMessage = message;
  }

  /** A managed agent's name is taken by an object the team does not own. */
  void conflict(String message) {
    conflicts.add(message);
  }

  /** The API server refused a write for a role's agent (403, 422, ...). */
  void refused(String reason, String message) {
    if (refusalReason == null) {
      refusalReason = reason;
    }
    refusals.add(message);
  }

  /**
   * A role that runs another team, and that team (null when it does not exist): waiting until the
   * child team is Ready.
   */
  void childTeam(String role, String teamName, ArkTeam team) {
    ObjectNode entry = roles.addObject();
    entry.put("name", role);
    entry.put("arkTeam", teamName);
    if (team == null) {
      missing.add("ArkTeam " + teamName + " (role " + role + ") not found");
      missingTeam = missing.size() == 1 || missingTeam;
      return;
    }
    String phase =
        team.getStatus() == null || team.getStatus().getPhase() == null
            ? null
            : team.getStatus().getPhase().getValue();
    if (!"Ready".equals(phase)) {
      waiting.add("ArkTeam " + teamName + " (" + (phase == null ? "no status yet" : phase) + ")");
    }
  }

  /** One role and its agent (null when the named ArkAgent does not exist). */
  void role(String role, String agentName, ArkAgent agent) {
    int ready = readyReplicas(agent);
    ObjectNode entry = roles.addObject();
    entry.put("name", role);
    entry.put("agent", agentName);
    entry.put("readyReplicas", ready);
    if (agent == null) {
      missing.add("ArkAgent " + agentName + " (role " + role + ") not found");
      return;
    }
    String problem = failing(agent);
    int replicas =
        agent.getSpec() == null || agent.getSpec().getReplicas() == null
            ? 1
            : agent.getSpec().getReplicas();
    if (problem != null) {
      degraded.add(agentName + ": " + problem);
    } else if (ready < 1 && replicas != 0) {
      String why = notReady(agent);
      waiting.add(
          agentName
              + " ("
              + ready
              + "/"
              + replicas
              + " ready"
              + (why == null ? "" : "; " + why)
              + ")");
    }
  }

  String phase() {
    if (errorReason != null || !conflicts.isEmpty() || !refusals.isEmpty()) {
      return "Error";
    }
    if (!missing.isEmpty()) {
      return "Pending";
    }
    if (!degraded.isEmpty()) {
      return "Degraded";
    }
    return waiting.isEmpty() ? "Ready" : "Pending";
  }

  String ready() {
    return "Ready".equals(phase()) ? Conditions.TRUE : Conditions.FALSE;
  }

  String reason() {
    if (errorReason != null) {
      return errorReason;
    }
    if (!refusals.isEmpty()) {
      return refusalReason;
    }
    if (!conflicts.isEmpty()) {
      return "AgentConflict";
    }
    if (!missing.isEmpty()) {
      return "AgentMissing";
    }
    if (!degraded.isEmpty()) {
      return "AgentDegraded";
    }
    return waiting.isEmpty() ? "AgentsReady" : WAITING;
  }

  String message() {
    if (errorReason != null) {
      return errorMessage;
    }
    if (!refusals.isEmpty()) {
      return String.join("; ", refusals);
    }
    if (!conflicts.isEmpty()) {
      return String.join("; ", conflicts);
    }
    if (!missing.isEmpty()) {
      return String.join("; ", missing)
          + "; create it or fix spec.roles[]."
          + (missingTeam ? "arkTeam" : "arkAgent");
    }
    if (!degraded.isEmpty()) {
      return String.join("; ", degraded);
    }
    return waiting.isEmpty()
        ? "all " + roles.size() + " role agents are ready"
        : "waiting for ready replicas: " + String.join(", ", waiting);
  }

  /** {@code roles[]}, or JSON null (removes it) for an invalid team. */
  JsonNode roles() {
    return errorReason != null ? NODES.nullNode() : roles;
  }

  JsonNode lastRun() {
    return lastRun;
  }

  private static int readyReplicas(ArkAgent agent) {
    return agent == null
            || agent.getStatus() == null
            || agent.getStatus().getReadyReplicas() == null
        ? 0
        : agent.getStatus().getReadyReplicas();
  }

  /**
   * The agent's own {@code Ready=False} reason and message when it is more than waiting for
   * replicas (e.g. {@code ReferenceNotFound}, {@code ReplicaFailure}, {@code Forbidden}), else
   * null.
   */
  private static String notReady(ArkAgent agent) {
    if (agent.getStatus() == null || agent.getStatus().getConditions() == null) {
      return null;
    }
    for (var condition : agent.getStatus().getConditions()) {
      if (Conditions.READY.equals(condition.getType())
          && condition.getStatus() != null
          && Conditions.FALSE.equals(condition.getStatus().getValue())
          && condition.getReason() != null
          && !"ReplicasNotReady".equals(condition.getReason())) {
        return condition.getReason() + ": " + condition.getMessage();
      }
    }
    return null;
  }

  /** {@code BudgetExceeded} or {@code Degraded} when the agent reports it True, else null. */
  private static String failing(ArkAgent agent) {
    if (agent.getStatus() == null || agent.getStatus().getConditions() == null) {
      return null;
    }
    for (var condition : agent.getStatus().getConditions()) {
      String type = condition.getType();
      boolean isTrue =
          condition.getStatus() != null && Conditions.TRUE.equals(condition.getStatus().getValue());
      if (isTrue && (Conditions.BUDGET_EXCEEDED.equals(type) || Conditions.DEGRADED.equals(type))) {
        String message = condition.getMessage();
        return type + (message == null || message.isEmpty() ? "" : " (" + message + ")");
      }
    }
    return null;
  }
}
