package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What an ArkRegistry indexes: the ArkAgents of its namespace that declare {@code capabilities},
 * under its {@code policy}. The one rule for the registry's status (operator) and for the
 * candidates of a routed run (operator and CLI).
 *
 * <ul>
 *   <li>{@code scope}: only {@code namespace-scoped} (the default) is implemented; the validator
 *       rejects {@code cluster-scoped}.
 *   <li>{@code policy.allowCrossTeam} (default false): an ArkAgent managed by an ArkTeam (label
 *       {@value #TEAM_LABEL}, the agent of a team's inline role) is indexed only when true.
 *   <li>{@code policy.maxDepth} (default 0): how deep a routed task may delegate to the other
 *       indexed agents ({@link #depth}).
 * </ul>
 */
public final class RegistryIndex {
  /** The label the operator puts on the ArkAgents it manages for a team's inline roles. */
  public static final String TEAM_LABEL = "arkonis.dev/team";

  /** The only scope implemented. */
  public static final String NAMESPACE_SCOPED = "namespace-scoped";

  /** The registry's {@code policy}, defaults applied. */
  public record Policy(int maxDepth, boolean allowCrossTeam) {
    /** The policy of a registry spec; null (no registry) gives the defaults. */
    public static Policy of(JsonNode registrySpec) {
      JsonNode policy = registrySpec == null ? null : registrySpec.path("policy");
      return policy == null
          ? new Policy(0, false)
          : new Policy(
              policy.path("maxDepth").asInt(0), policy.path("allowCrossTeam").asBoolean(false));
    }
  }

  /** One indexed agent: name, managing team (or null) and capabilities. */
  public record Indexed(String name, String team, List<RoutingPlan.Capability> capabilities) {}

  private RegistryIndex() {}

  /**
   * The indexed agents among {@code agents} (whole ArkAgent objects), sorted by name: those with at
   * least one capability, not being deleted, and managed by no team unless the policy allows.
   */
  public static List<Indexed> index(Policy policy, List<JsonNode> agents) {
    List<Indexed> indexed = new ArrayList<>();
    for (JsonNode agent : agents) {
      JsonNode metadata = agent.path("metadata");
      if (metadata.hasNonNull("deletionTimestamp")) {
        continue;
      }
      String team = metadata.path("labels").path(TEAM_LABEL).asText(null);
      if (team != null && !policy.allowCrossTeam()) {
        continue;
      }
      List<RoutingPlan.Capability> capabilities = capabilities(agent.path("spec"));
      if (!capabilities.isEmpty()) {
        indexed.add(new Indexed(metadata.path("name").asText(), team, capabilities));
      }
    }
    indexed.sort(Comparator.comparing(Indexed::name));
    return indexed;
  }

  /** An agent spec's {@code capabilities}. */
  static List<RoutingPlan.Capability> capabilities(JsonNode spec) {
    List<RoutingPlan.Capability> list = new ArrayList<>();
    for (JsonNode c : spec.path("capabilities")) {
      List<String> tags = new ArrayList<>();
      c.path("tags").forEach(t -> tags.add(t.asText()));
      list.add(
          new RoutingPlan.Capability(
              c.path("id").asText(), c.path("description").asText(""), tags));
    }
    return list;
  }

  /**
   * How deep a routed task may delegate: the registry's {@code maxDepth}, capped by the team's
   * {@code maxDelegationDepth}.
   */
  public static int depth(Policy policy, int teamDepth) {
    return Math.min(policy.maxDepth(), teamDepth);
  }
}
