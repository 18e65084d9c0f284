package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.RunPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The routed part of a plan ({@code ArkTeam spec.routing}): the candidates the registry indexes
 * ({@link RegistryIndex}), each an agent of the plan under its own name (with the other candidates
 * in {@code canDelegate} when the registry's {@code maxDepth} allows delegation), the fallback, and
 * the router call.
 */
final class RoutedPlanner {
  private RoutedPlanner() {}

  /** A planned routed team: its agents by name, the routing, the delegation depth. */
  record Routed(Map<String, AgentSpec> agents, RoutingPlan routing, int depth) {}

  /**
   * @param agentFor builds an agent from a role node ({@code {name, arkAgent, canDelegate}}), as
   *     for a team role using an existing ArkAgent
   */
  static Routed plan(
      RunPlanner.References refs,
      String namespace,
      String team,
      JsonNode teamSpec,
      BiFunction<String, JsonNode, AgentSpec> agentFor) {
    JsonNode routing = teamSpec.path("routing");
    String where = "ArkTeam/" + team + ": spec.routing";
    String registryName = routing.path("registryRef").path("name").asText(null);
    JsonNode registrySpec = null;
    if (registryName != null) {
      registrySpec =
          refs.registry(registryName)
              .orElseThrow(
                  () ->
                      new SpecException(
                          where
                              + ".registryRef: ArkRegistry \""
                              + registryName
                              + "\" does not exist in namespace "
                              + namespace
                              + "; create it (or add it to the file)"))
              .path("spec");
      String scope = registrySpec.path("scope").asText(RegistryIndex.NAMESPACE_SCOPED);
      if (!RegistryIndex.NAMESPACE_SCOPED.equals(scope)) {
        throw new SpecException(
            "ArkRegistry/"
                + registryName
                + ": spec.scope: "
                + scope
                + " is not supported; use "
                + RegistryIndex.NAMESPACE_SCOPED);
      }
    }
    RegistryIndex.Policy policy = RegistryIndex.Policy.of(registrySpec);
    List<RegistryIndex.Indexed> indexed = RegistryIndex.index(policy, refs.agents());
    int depth =
        RegistryIndex.depth(
            policy, teamSpec.path("maxDelegationDepth").asInt(RunPlanner.DEFAULT_DELEGATION_DEPTH));
    String fallback = routing.path("fallback").asText(null);
    if (indexed.isEmpty() && fallback == null) {
      throw new SpecException(
          where
              + ": "
              + (registryName == null ? "namespace " + namespace : "ArkRegistry " + registryName)
              + " indexes no ArkAgent (none has spec.capabilities"
              + (policy.allowCrossTeam() ? "" : " outside a team's managed agents")
              + ") and spec.routing.fallback is not set; add capabilities to ArkAgents or set a"
              + " fallback");
    }
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    List<RoutingPlan.Candidate> candidates = new ArrayList<>();
    for (RegistryIndex.Indexed agent : indexed) {
      List<String> others = new ArrayList<>();
      if (depth > 0) {
        indexed.stream()
            .map(RegistryIndex.Indexed::name)
            .filter(n -> !n.equals(agent.name()))
            .forEach(others::add);
      }
      agents.put(agent.name(), agentFor.apply(team, role(agent.name(), others)));
      candidates.add(new RoutingPlan.Candidate(agent.name(), agent.capabilities()));
    }
    if (fallback != null && !agents.containsKey(fallback)) {
      if (refs.agent(fallback).isEmpty()) {
        throw new SpecException(
            where
                + ".fallback: ArkAgent \""
                + fallback
                + "\" does not exist in namespace "
                + namespace
                + "; create it (or add it to the file), or name another agent");
      }
      agents.put(fallback, agentFor.apply(team, role(fallback, List.of())));
    }
    AgentSpec host = agents.get(fallback != null ? fallback : candidates.get(0).agent());
    AgentSpec router =
        new AgentSpec(
            "router",
            host.agent(),
            RunPlan.taskQueue(namespace, host.agent()),
            routing.path("model").asText(),
            host.provider(),
            RoutingPlan.ROUTER_PROMPT,
            0,
            host.timeoutSeconds(),
            null,
            false,
            List.of(),
            List.of(),
            List.of(),
            host.maxDailyTokens());
    return new Routed(agents, new RoutingPlan(router, fallback, candidates, registryName), depth);
  }

  private static JsonNode role(String agent, List<String> canDelegate) {
    ObjectNode role = JsonNodeFactory.instance.objectNode();
    role.put("name", agent);
    role.put("arkAgent", agent);
    canDelegate.forEach(role.putArray("canDelegate")::add);
    return role;
  }
}
