package dev.arkonis.ark.workflows.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.ChatResponse;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import dev.arkonis.ark.workflows.api.StepStatus;
import java.util.List;
import java.util.Map;

/**
 * Routed mode's decision: one {@code chat} call with the router's model that sees the task and the
 * indexed capabilities and answers {@code {agent, capability, reason}} (JSON Schema with the agents
 * as an enum); an answer naming no candidate goes to {@code routing.fallback}. Deterministic: the
 * request is built from the plan, the answer read from the activity's result.
 */
final class Router {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private Router() {}

  /** Makes the router call on {@code step} and returns the decision; throws {@link RunStop}. */
  static StepStatus.Route route(
      AgentCalls calls, RunState state, RunState.Step step, RoutingPlan routing, String task) {
    String schema = schema(routing);
    ChatResponse answer =
        calls.chat(
            state,
            step,
            -1,
            "route",
            routing.router(),
            List.of(ChatMessage.user(request(routing, task, schema))),
            schema,
            List.of());
    return decide(routing, answer);
  }

  /** The router's user message: the task, the candidates as JSON and the answer's schema. */
  static String request(RoutingPlan routing, String task, String schema) {
    ArrayNode list = NODES.arrayNode();
    for (RoutingPlan.Candidate candidate : routing.candidates()) {
      for (RoutingPlan.Capability capability : candidate.capabilities()) {
        ObjectNode entry = list.addObject();
        entry.put("agent", candidate.agent());
        entry.put("capability", capability.id());
        entry.put("description", capability.description());
        ArrayNode tags = entry.putArray("tags");
        capability.tags().forEach(tags::add);
      }
    }
    return "Task:\n"
        + task
        + "\n\n"
        + RoutingPlan.CAPABILITIES_MARKER
        + "\n"
        + write(list)
        + "\n\n"
        + ChatRequest.SCHEMA_MARKER
        + "\n"
        + schema;
  }

  /** JSON Schema of the answer: the agent is one of the candidates or {@code none}. */
  static String schema(RoutingPlan routing) {
    ObjectNode schema = NODES.objectNode();
    schema.put("type", "object");
    ObjectNode properties = schema.putObject("properties");
    ObjectNode agent = properties.putObject("agent");
    agent.put("type", "string");
    ArrayNode names = agent.putArray("enum");
    routing.candidates().forEach(c -> names.add(c.agent()));
    names.add(RoutingPlan.NO_MATCH);
    properties.putObject("capability").put("type", "string");
    properties.putObject("reason").put("type", "string");
    schema.putArray("required").add("agent").add("capability").add("reason");
    schema.put("additionalProperties", false);
    return write(schema);
  }

  /**
   * The decision for an answer: its agent when it is a candidate (its capability kept only when
   * that agent has it), else the fallback with why; throws {@link RunStop} when there is none.
   */
  static StepStatus.Route decide(RoutingPlan routing, ChatResponse answer) {
    Map<?, ?> data = answer.data() instanceof Map<?, ?> m ? m : Map.of();
    String agent = text(data.get("agent"));
    String capability = text(data.get("capability"));
    String reason = text(data.get("reason"));
    RoutingPlan.Candidate chosen =
        routing.candidates().stream().filter(c -> c.agent().equals(agent)).findFirst().orElse(null);
    if (chosen != null && answer.schemaViolations().isEmpty()) {
      boolean known = chosen.capabilities().stream().anyMatch(c -> c.id().equals(capability));
      return new StepStatus.Route(
          chosen.agent(),
          known ? capability : null,
          known
              ? reason
              : reason + " (capability \"" + capability + "\" is not one of the agent's: dropped)");
    }
    String why =
        data.isEmpty()
            ? "the router's answer is not the JSON asked for"
            : RoutingPlan.NO_MATCH.equals(agent)
                ? "the router found no matching capability"
                    + (reason.isEmpty() ? "" : ": " + reason)
                : "the router named \"" + agent + "\", which is not an indexed agent";
    if (routing.fallback() == null) {
      throw new RunStop(
          Phases.FAILED,
          why + ", and spec.routing.fallback is not set; set it to the ArkAgent for such tasks");
    }
    return new StepStatus.Route(routing.fallback(), null, why + "; fallback " + routing.fallback());
  }

  private static String text(Object value) {
    return value == null ? "" : String.valueOf(value).strip();
  }

  private static String write(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serializes", e);
    }
  }
}
