package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Rules for agent fields, shared by ArkAgent specs and inline ArkTeam roles. */
final class AgentRules {
  private AgentRules() {}

  static void check(Manifest manifest, JsonNode agent, String path, List<Problem> problems) {
    Set<String> toolNames = new HashSet<>();
    JsonNode servers = agent.path("mcpServers");
    for (int i = 0; i < servers.size(); i++) {
      String name = servers.get(i).path("name").asText();
      if (!toolNames.add(name)) {
        problems.add(
            manifest.problem(
                FieldPath.child(FieldPath.index(FieldPath.child(path, "mcpServers"), i), "name"),
                "duplicate MCP server \"" + name + "\"; names must be unique"));
      }
      String url = servers.get(i).path("url").asText();
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        problems.add(
            manifest.problem(
                FieldPath.child(FieldPath.index(FieldPath.child(path, "mcpServers"), i), "url"),
                "\""
                    + url
                    + "\" is not an http(s) URL; MCP servers are reached over SSE or"
                    + " streamable HTTP"));
      }
    }
    JsonNode tools = agent.path("tools");
    for (int i = 0; i < tools.size(); i++) {
      String toolPath = FieldPath.index(FieldPath.child(path, "tools"), i);
      String name = tools.get(i).path("name").asText();
      if (!toolNames.add(name)) {
        problems.add(
            manifest.problem(
                FieldPath.child(toolPath, "name"),
                "duplicate tool \"" + name + "\"; tool and MCP server names must be unique"));
      }
      JsonSchemas.check(
          manifest,
          FieldPath.child(toolPath, "inputSchema"),
          tools.get(i).path("inputSchema"),
          problems);
    }
    probe(manifest, agent.path("livenessProbe"), FieldPath.child(path, "livenessProbe"), problems);
  }

  /**
   * A ping probe takes no semantic fields (nothing accepted and ignored); the expected answer is
   * one word of letters (the first word of the model's answer is compared with it). Same wording as
   * the CRDs' CEL rules.
   */
  private static void probe(
      Manifest manifest, JsonNode probe, String path, List<Problem> problems) {
    if (!probe.isObject()) {
      return;
    }
    String type = probe.path("type").asText();
    for (String field : List.of("validatorPrompt", "expectedAnswer")) {
      if (!"semantic".equals(type) && probe.has(field)) {
        problems.add(
            manifest.problem(
                FieldPath.child(path, field),
                "is only used with type semantic, but type is "
                    + type
                    + "; remove it or set type to semantic"));
      }
    }
    JsonNode expected = probe.path("expectedAnswer");
    if (expected.isTextual() && !expected.asText().matches("[A-Za-z]+")) {
      problems.add(
          manifest.problem(
              FieldPath.child(path, "expectedAnswer"),
              "must be one word of letters, such as HEALTHY or VALID; the first word of the"
                  + " model's answer is compared with it"));
    }
  }
}
