package dev.arkonis.ark.bridge.a2a;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The A2A agent card ({@code /.well-known/agent-card.json}) of an ArkService: its name, the URL it
 * is reached at, streaming on, push notifications off, text in and out, and one skill per
 * capability of the selected ArkAgents ({@code capabilities[] {id, description, tags}}); an agent
 * without capabilities is one skill named after it, described by the start of its system prompt.
 */
public final class AgentCards {
  /** Characters of a system prompt used as a skill description. */
  static final int PROMPT_CHARS = 200;

  private AgentCards() {}

  /**
   * @param service the ArkService as JSON
   * @param agents the selected ArkAgents as JSON, sorted by name
   * @param url the URL clients reach the service's A2A port at
   */
  public static ObjectNode card(JsonNode service, List<JsonNode> agents, String url) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    String name = service.path("metadata").path("name").asText();
    String namespace = service.path("metadata").path("namespace").asText();
    ObjectNode card = json.objectNode();
    card.put("protocolVersion", A2aProtocol.PROTOCOL_VERSION);
    card.put("name", name);
    card.put(
        "description",
        "ark ArkService "
            + namespace
            + "/"
            + name
            + ": tasks run durably on "
            + (agents.isEmpty()
                ? "no ArkAgent yet"
                : "ArkAgent "
                    + String.join(
                        ", ",
                        agents.stream()
                            .map(a -> a.path("metadata").path("name").asText())
                            .toList()))
            + " ("
            + service.path("spec").path("routing").path("strategy").asText(Strategies.ROUND_ROBIN)
            + ")");
    card.put("url", url);
    card.put("preferredTransport", "JSONRPC");
    card.putArray("additionalInterfaces").addObject().put("url", url).put("transport", "JSONRPC");
    card.put("version", String.valueOf(service.path("metadata").path("generation").asLong(1)));
    ObjectNode capabilities = card.putObject("capabilities");
    capabilities.put("streaming", true);
    capabilities.put("pushNotifications", false);
    capabilities.put("stateTransitionHistory", false);
    card.putArray("defaultInputModes").add("text/plain").add("application/json");
    card.putArray("defaultOutputModes").add("text/plain");
    ArrayNode skills = card.putArray("skills");
    for (JsonNode agent : agents) {
      String agentName = agent.path("metadata").path("name").asText();
      JsonNode spec = agent.path("spec");
      if (spec.path("capabilities").isArray() && !spec.path("capabilities").isEmpty()) {
        for (JsonNode capability : spec.path("capabilities")) {
          ObjectNode skill = skills.addObject();
          String id = capability.path("id").asText();
          skill.put("id", id);
          skill.put("name", id);
          skill.put("description", capability.path("description").asText(id));
          ArrayNode tags = skill.putArray("tags");
          capability.path("tags").forEach(t -> tags.add(t.asText()));
        }
        continue;
      }
      ObjectNode skill = skills.addObject();
      skill.put("id", agentName);
      skill.put("name", agentName);
      skill.put("description", describe(spec, agentName));
      ArrayNode tags = skill.putArray("tags").add("ark");
      if (spec.hasNonNull("model")) {
        tags.add(spec.path("model").asText());
      }
    }
    return card;
  }

  private static String describe(JsonNode spec, String agentName) {
    String prompt = spec.path("systemPrompt").asText("").strip().replaceAll("\\s+", " ");
    if (prompt.isEmpty()) {
      return "ArkAgent " + agentName + " (model " + spec.path("model").asText("?") + ")";
    }
    return prompt.length() <= PROMPT_CHARS ? prompt : prompt.substring(0, PROMPT_CHARS) + "…";
  }
}
