package dev.arkonis.ark.bridge.reconcile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.activities.spec.TeamChain;
import dev.arkonis.ark.bridge.informer.Apply;
import dev.arkonis.ark.bridge.informer.Caches;
import dev.arkonis.ark.bridge.informer.EventRecorder;
import dev.arkonis.ark.bridge.informer.ObjectKey;
import dev.arkonis.ark.bridge.informer.ReportedException;
import dev.arkonis.ark.bridge.informer.Updates;
import dev.arkonis.ark.bridge.informer.Watch;
import dev.arkonis.ark.bridge.status.Conditions;
import dev.arkonis.ark.bridge.status.ReadyStatus;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.crd.v1alpha1.arkteamspec.Roles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * ArkTeam → its agents and its status. An invalid team (the shared {@link SpecValidator}) gets
 * {@code Ready=False/InvalidSpec}, phase {@code Error} and a Warning Event, and nothing is created.
 * A valid team gets a managed ArkAgent {@code <team>-<role>} (owned by the team) per inline role,
 * uses the named ArkAgent for {@code arkAgent} roles, loses the managed agents of removed roles,
 * and reports {@code Pending} until every role's agent has a ready replica (or is scaled to 0),
 * phase {@code Error} with the API server's refusal when it refuses a managed agent (e.g. {@code
 * Forbidden}, {@code Invalid}; retried with backoff), {@code Degraded} when an agent is degraded or
 * over budget, then {@code Ready}. Also {@code lastRun} and the run history limits.
 */
public final class ArkTeamReconciler implements Reconciler {
  public static final String TEAM_LABEL = "arkonis.dev/team";
  public static final String ROLE_LABEL = "arkonis.dev/role";

  static final Watch.Index<ArkTeam> ROLE_AGENTS =
      new Watch.Index<>(ArkTeam.class, "ark.team.roleAgents", ArkTeamReconciler::roleAgents);

  static final Watch.Index<ArkTeam> CHILD_TEAMS =
      new Watch.Index<>(ArkTeam.class, "ark.team.childTeams", ArkTeamReconciler::childTeams);

  private static final int PROBLEMS_SHOWN = 3;

  private final KubernetesClient client;
  private final Caches caches;
  private final EventRecorder events;
  private final StatusWriter status;
  private final SpecValidator validator = new SpecValidator();
  private final Clock clock;

  public ArkTeamReconciler(
      KubernetesClient client, Caches caches, EventRecorder events, Clock clock) {
    this.client = client;
    this.caches = caches;
    this.events = events;
    this.status = new StatusWriter(client);
    this.clock = clock;
  }

  /**
   * Its agents (owned, labelled, or used by a role: an {@code arkAgent} reference, or an object
   * holding a managed agent's name) and its runs.
   */
  public static List<Watch<?>> watches() {
    return List.of(
        Watch.ownedBy(ArkAgent.class, "ArkTeam"),
        Watch.labelled(ArkAgent.class, TEAM_LABEL),
        Watch.referencedBy(ArkAgent.class, ROLE_AGENTS),
        Watch.referencedBy(ArkTeam.class, CHILD_TEAMS)
            .onUpdates(
                (old, current) ->
                    !Updates.statusOnly(old, current)
                        || !Objects.equals(teamPhase(old), teamPhase(current))),
        Watch.of(
                ArkRun.class,
                run -> {
                  String team = TeamRuns.team(run);
                  return team == null
                      ? List.<ObjectKey>of()
                      : List.of(new ObjectKey(run.getMetadata().getNamespace(), team));
                })
            .onUpdates(ArkTeamReconciler::runUpdateMatters));
  }

  /**
   * A run's update concerns its team when it changes what {@code lastRun} and the history limits
   * read (phase, start time) or its metadata — not at every step's status write.
   */
  static boolean runUpdateMatters(ArkRun old, ArkRun current) {
    return !Updates.statusOnly(old, current)
        || !TeamRuns.phase(old).equals(TeamRuns.phase(current))
        || !Objects.equals(startTime(old), startTime(current));
  }

  private static Object teamPhase(ArkTeam team) {
    return team.getStatus() == null ? null : team.getStatus().getPhase();
  }

  private static String startTime(ArkRun run) {
    return run.getStatus() == null ? null : run.getStatus().getStartTime();
  }

  @Override
  public String kind() {
    return "ArkTeam";
  }

  @Override
  public void reconcile(String namespace, String name) {
    ArkTeam team = caches.get(ArkTeam.class, namespace, name);
    if (team == null || team.getMetadata().getDeletionTimestamp() != null) {
      return; // managed agents go with it (owner references)
    }
    KubernetesSerialization json = client.getKubernetesSerialization();
    TeamStatus out = new TeamStatus(TeamRuns.prune(client, caches, team));
    List<Problem> problems = validator.validateStored(json.convertValue(team, JsonNode.class));
    if (!problems.isEmpty()) {
      out.error("InvalidSpec", SpecValidator.summary(problems, PROBLEMS_SHOWN));
      write(team, out);
      return;
    }
    JsonNode spec = json.convertValue(team.getSpec(), JsonNode.class);
    Optional<TeamChain.Problem> chain =
        TeamChain.check(namespace, name, spec, child -> childSpec(namespace, child, json));
    if (chain.isPresent() && chain.get().kind() == TeamChain.Kind.INVALID) {
      out.error("InvalidSpec", chain.get().message());
      write(team, out);
      return;
    }
    Set<String> managed = new HashSet<>();
    ReportedException refused = null;
    for (Roles role :
        team.getSpec().getRoles() == null ? List.<Roles>of() : team.getSpec().getRoles()) {
      ArkAgent agent;
      String agentName;
      if (TeamAgents.childTeam(role)) {
        out.childTeam(
            role.getName(),
            role.getArkTeam(),
            caches.get(ArkTeam.class, namespace, role.getArkTeam()));
        continue;
      }
      if (TeamAgents.inline(role)) {
        agentName = TeamAgents.name(team, role.getName());
        managed.add(agentName);
        ArkAgent cached = caches.get(ArkAgent.class, namespace, agentName);
        Apply.Result<ArkAgent> applied;
        try {
          applied =
              Apply.ensure(
                  client,
                  cached,
                  TeamAgents.desired(team, role, cached, json),
                  (have, want) -> TeamAgents.sameSpec(have, want, json),
                  (want, update) -> update.setSpec(want.getSpec()));
        } catch (Apply.NotOwnedException e) {
          out.conflict("role " + role.getName() + ": " + e.getMessage());
          continue;
        } catch (KubernetesClientException e) {
          if (!ApiErrors.refusal(e)) {
            throw e;
          }
          refused =
              ApiErrors.reported(
                  e,
                  "role "
                      + role.getName()
                      + ": cannot create or update ArkAgent "
                      + namespace
                      + "/"
                      + agentName);
          out.refused(refused.reason(), refused.getMessage());
          continue;
        }
        agent = applied.object();
        if (applied.outcome() == Apply.Outcome.CREATED) {
          events.normal(
              team,
              "AgentCreated",
              "created ArkAgent " + agentName + " for role " + role.getName());
        }
      } else {
        agentName = role.getArkAgent();
        agent = caches.get(ArkAgent.class, namespace, agentName);
      }
      out.role(role.getName(), agentName, agent);
    }
    for (ArkAgent agent : caches.list(ArkAgent.class, namespace)) {
      if (team.getMetadata().getName().equals(labels(agent).get(TEAM_LABEL))
          && Apply.controlledBy(agent, team)
          && !managed.contains(agent.getMetadata().getName())
          && agent.getMetadata().getDeletionTimestamp() == null) {
        try {
          client.resource(agent).delete();
        } catch (KubernetesClientException e) {
          if (!ApiErrors.refusal(e)) {
            throw e;
          }
          refused =
              ApiErrors.reported(
                  e,
                  "cannot delete ArkAgent "
                      + namespace
                      + "/"
                      + agent.getMetadata().getName()
                      + " of a removed role");
          out.refused(refused.reason(), refused.getMessage());
          continue;
        }
        events.normal(
            team,
            "AgentDeleted",
            "deleted ArkAgent " + agent.getMetadata().getName() + ": its role is gone");
      }
    }
    write(team, out);
    if (refused != null) {
      throw refused; // shown on the team; try again with backoff
    }
  }

  private Optional<JsonNode> childSpec(
      String namespace, String name, KubernetesSerialization json) {
    ArkTeam child = caches.get(ArkTeam.class, namespace, name);
    return child == null || child.getSpec() == null
        ? Optional.empty()
        : Optional.of(json.convertValue(child.getSpec(), JsonNode.class));
  }

  private void write(ArkTeam team, TeamStatus out) {
    String namespace = team.getMetadata().getNamespace();
    String name = team.getMetadata().getName();
    JsonNode current = status.currentStatus(ArkTeam.class, namespace, name);
    if (current == null) {
      return;
    }
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.put("phase", out.phase());
    patch.set("roles", out.roles());
    patch.set("lastRun", out.lastRun());
    ReadyStatus.write(
            status,
            ArkTeam.class,
            team,
            current,
            patch,
            out.ready(),
            out.reason(),
            out.message(),
            clock)
        .ifPresent(
            before -> {
              if (Conditions.TRUE.equals(out.ready())) {
                events.normal(team, out.reason(), out.message());
              } else if (!TeamStatus.WAITING.equals(out.reason())) {
                events.warning(team, out.reason(), out.message());
              }
            });
  }

  private static Map<String, String> labels(ArkAgent agent) {
    return agent.getMetadata().getLabels() == null ? Map.of() : agent.getMetadata().getLabels();
  }

  /** {@code namespace/name} of every team the team's roles run ({@code arkTeam}). */
  private static List<String> childTeams(ArkTeam team) {
    List<String> keys = new ArrayList<>();
    if (team.getSpec() != null && team.getSpec().getRoles() != null) {
      for (Roles role : team.getSpec().getRoles()) {
        if (TeamAgents.childTeam(role)) {
          keys.add(team.getMetadata().getNamespace() + "/" + role.getArkTeam());
        }
      }
    }
    return keys;
  }

  /** {@code namespace/name} of the agent of every role: managed or named by {@code arkAgent}. */
  private static List<String> roleAgents(ArkTeam team) {
    List<String> keys = new ArrayList<>();
    if (team.getSpec() != null && team.getSpec().getRoles() != null) {
      for (Roles role : team.getSpec().getRoles()) {
        if (TeamAgents.childTeam(role)) {
          continue;
        }
        String agent =
            TeamAgents.inline(role) ? TeamAgents.name(team, role.getName()) : role.getArkAgent();
        keys.add(team.getMetadata().getNamespace() + "/" + agent);
      }
    }
    return keys;
  }
}
