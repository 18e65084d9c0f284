package dev.arkonis.ark.workflows.api;

import java.util.List;

/**
 * What a routed team's run needs to pick its agent ({@code ArkTeam spec.routing}): the router call
 * and the candidates the registry indexed.
 *
 * @param router the router call's agent: {@code routing.model}, on the task queue of the fallback
 *     agent (or of the first candidate), whose workers hold the provider's keys
 * @param fallback ArkAgent that runs the task when the router names no candidate, or null
 * @param candidates the indexed agents with their capabilities, sorted by name
 * @param registry the ArkRegistry that indexed them, or null for all agents of the namespace
 */
public record RoutingPlan(
    AgentSpec router, String fallback, List<Candidate> candidates, String registry) {
  /** Name of the step that records the decision in the run status. */
  public static final String ROUTE_STEP = "route";

  /** Name of the step that runs the task on the chosen agent. */
  public static final String TASK_STEP = "task";

  /** The {@code agent} a router answers when no capability fits. */
  public static final String NO_MATCH = "none";

  /** Line before the candidates' JSON in the router's request (the mock router looks for it). */
  public static final String CAPABILITIES_MARKER = "--- Indexed capabilities (JSON) ---";

  /** The router's system prompt. */
  public static final String ROUTER_PROMPT =
      "Role: router\n"
          + "You route a task to the one agent whose capability fits it best. Read the task and"
          + " the indexed capabilities, then answer with the agent's name, the capability id and"
          + " a one-sentence reason. When no capability fits, answer agent \""
          + NO_MATCH
          + "\".";

  public RoutingPlan {
    candidates = candidates == null ? List.of() : List.copyOf(candidates);
  }

  /** One indexed agent. */
  public record Candidate(String agent, List<Capability> capabilities) {
    public Candidate {
      capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
    }
  }

  /** One capability ({@code ArkAgent spec.capabilities[]}). */
  public record Capability(String id, String description, List<String> tags) {
    public Capability {
      description = description == null ? "" : description;
      tags = tags == null ? List.of() : List.copyOf(tags);
    }
  }
}
