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
  }
}
