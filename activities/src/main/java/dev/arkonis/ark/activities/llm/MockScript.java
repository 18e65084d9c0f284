package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage.ToolCall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A per-role mock script ({@code ark run|dev|agent --mock-script FILE}): a YAML map from a role
 * name, or an ArkAgent name, to the list of replies that role's model gives, in order.
 *
 * <pre>{@code
 * triage:                                   # a team role, or an ArkAgent used directly
 *   - toolCalls: [{name: incidents__list_incidents, arguments: {}}]
 *   - text: '[{"id": "INC-001"}]'
 *     usage: {input: 120, output: 30}       # optional; estimated when absent
 *   - error: rate-limit                     # optional: fail this call (see ScriptedReply)
 *     message: slow down
 *   - "a plain string is a text reply"
 * }</pre>
 *
 * <p>Which list answers a chat turn ({@link #keyFor}): the list of the turn's role name when the
 * script has one, else the list of the turn's ArkAgent name (a managed agent {@code <team>-<role>},
 * a role's {@code arkAgent}, or an agent serving tasks directly). Only the turns of a step's work
 * consume replies; semantic checks and health probes are answered by the built-in rules. When a
 * list is used up, the built-in mock answers.
 */
public final class MockScript {
  private static final Set<String> REPLY_FIELDS =
      Set.of("text", "toolCalls", "usage", "error", "message");
  private static final Set<String> CALL_FIELDS = Set.of("id", "name", "arguments");

  private final String file;
  private final Map<String, List<ScriptedReply>> replies;
  private final Map<String, Integer> lines;

  /** A script from replies per key (tests). */
  public MockScript(String file, Map<String, List<ScriptedReply>> replies) {
    this(file, replies, Map.of());
  }

  private MockScript(
      String file, Map<String, List<ScriptedReply>> replies, Map<String, Integer> lines) {
    this.file = file;
    this.lines = Map.copyOf(lines);
    Map<String, List<ScriptedReply>> copy = new LinkedHashMap<>();
    replies.forEach((key, list) -> copy.put(key, List.copyOf(list)));
    this.replies = java.util.Collections.unmodifiableMap(copy);
  }

  /** The file it came from (messages). */
  public String file() {
    return file;
  }

  /** Role or agent name → replies, in file order. */
  public Map<String, List<ScriptedReply>> replies() {
    return replies;
  }

  /** The script key answering the agent's turns, or null when none matches. */
  public String keyFor(AgentSpec agent) {
    if (agent.role() != null && replies.containsKey(agent.role())) {
      return agent.role();
    }
    if (agent.agent() != null && replies.containsKey(agent.agent())) {
      return agent.agent();
    }
    return null;
  }

  /**
   * Checks that every key names one of {@code roles} or {@code agents}.
   *
   * @throws MockScriptException naming the unknown keys and listing the roles
   */
  public void checkKeys(Collection<String> roles, Collection<String> agents, String where) {
    Set<String> known = new TreeSet<>(roles);
    String agentList =
        agents.isEmpty() ? "" : "; ArkAgents: " + String.join(", ", new TreeSet<>(agents));
    List<Problem> problems = new ArrayList<>();
    for (String key : replies.keySet()) {
      if (!roles.contains(key) && !agents.contains(key)) {
        problems.add(
            new Problem(
                file,
                lines.getOrDefault(key, 0),
                "",
                key,
                "no role or ArkAgent of this name in "
                    + where
                    + "; a key is a role name (roles: "
                    + (known.isEmpty() ? "none" : String.join(", ", known))
                    + agentList
                    + ")"));
      }
    }
    if (!problems.isEmpty()) {
      throw new MockScriptException(problems);
    }
  }

  /**
   * Reads a script file.
   *
   * @throws MockScriptException with every problem found, each naming file, line and field
   */
  public static MockScript load(Path file) {
    LoadResult loaded = new ManifestLoader().loadDocument(file);
    if (!loaded.problems().isEmpty()) {
      throw new MockScriptException(loaded.problems());
    }
    Manifest document = loaded.manifests().get(0);
    List<Problem> problems = new ArrayList<>();
    Map<String, List<ScriptedReply>> replies = new LinkedHashMap<>();
    Map<String, Integer> lines = new LinkedHashMap<>();
    document
        .tree()
        .fields()
        .forEachRemaining(
            entry -> {
              String key = entry.getKey();
              String path = FieldPath.child("", key);
              lines.put(key, document.lineOf(path));
              JsonNode list = entry.getValue();
              if (!list.isArray()) {
                problems.add(
                    problem(document, path, "the replies of a role are a list (- text: ...)"));
                return;
              }
              List<ScriptedReply> parsed = new ArrayList<>();
              for (int i = 0; i < list.size(); i++) {
                ScriptedReply reply =
                    reply(document, FieldPath.index(path, i), list.get(i), problems);
                if (reply != null) {
                  parsed.add(reply);
                }
              }
              replies.put(key, parsed);
            });
    if (replies.isEmpty() && problems.isEmpty()) {
      problems.add(
          new Problem(
              file.toString(), 0, "", "", "the mock script has no roles; see docs/testing.md"));
    }
    if (!problems.isEmpty()) {
      throw new MockScriptException(problems);
    }
    return new MockScript(file.toString(), replies, lines);
  }

  private static ScriptedReply reply(
      Manifest document, String path, JsonNode node, List<Problem> problems) {
    if (node.isTextual()) {
      return ScriptedReply.text(node.asText());
    }
    if (!node.isObject()) {
      problems.add(problem(document, path, "a reply is text: ..., toolCalls: [...] or error: ..."));
      return null;
    }
    int before = problems.size();
    unknownFields(document, path, node, REPLY_FIELDS, problems);
    if (!node.has("text") && !node.has("toolCalls") && !node.has("error")) {
      problems.add(problem(document, path, "a reply needs text, toolCalls or error"));
    }
    textField(document, path, node, "text", problems);
    textField(document, path, node, "message", problems);
    List<ToolCall> calls = new ArrayList<>();
    JsonNode toolCalls = node.path("toolCalls");
    String callsPath = FieldPath.child(path, "toolCalls");
    if (node.has("toolCalls") && !toolCalls.isArray()) {
      problems.add(problem(document, callsPath, "toolCalls is a list of {name, arguments}"));
    }
    for (int i = 0; toolCalls.isArray() && i < toolCalls.size(); i++) {
      String callPath = FieldPath.index(callsPath, i);
      JsonNode call = toolCalls.get(i);
      if (!call.isObject()) {
        problems.add(problem(document, callPath, "a tool call is {name, arguments}"));
        continue;
      }
      unknownFields(document, callPath, call, CALL_FIELDS, problems);
      String name = call.path("name").asText("");
      if (!call.path("name").isTextual() || name.isBlank()) {
        problems.add(
            problem(
                document,
                FieldPath.child(callPath, "name"),
                "a tool call needs a name: <server>__<tool> for an MCP tool, the tool's name for"
                    + " an inline tool, or delegate"));
      }
      JsonNode args = call.path("arguments");
      String arguments;
      if (args.isMissingNode() || args.isNull()) {
        arguments = "{}";
      } else if (args.isObject()) {
        arguments = args.toString();
      } else if (args.isTextual()) {
        arguments = args.asText();
      } else {
        problems.add(
            problem(
                document,
                FieldPath.child(callPath, "arguments"),
                "arguments is an object (or a JSON string)"));
        arguments = "{}";
      }
      calls.add(new ToolCall(call.path("id").asText(null), name, arguments));
    }
    JsonNode usage = node.path("usage");
    Integer input = null;
    Integer output = null;
    if (node.has("usage")) {
      String usagePath = FieldPath.child(path, "usage");
      if (!usage.isObject()) {
        problems.add(problem(document, usagePath, "usage is {input: N, output: N}"));
      } else {
        unknownFields(document, usagePath, usage, Set.of("input", "output"), problems);
        input = count(document, usagePath, usage, "input", problems);
        output = count(document, usagePath, usage, "output", problems);
      }
    }
    String error = node.path("error").isNull() ? null : node.path("error").asText(null);
    if (problems.size() > before) {
      return null;
    }
    try {
      return new ScriptedReply(
          node.path("text").asText(null),
          calls,
          input,
          output,
          error,
          node.path("message").asText(null));
    } catch (IllegalArgumentException e) {
      problems.add(problem(document, FieldPath.child(path, "error"), e.getMessage()));
      return null;
    }
  }

  private static Integer count(
      Manifest document, String path, JsonNode usage, String field, List<Problem> problems) {
    if (!usage.has(field)) {
      return null;
    }
    JsonNode value = usage.get(field);
    if (!value.canConvertToInt() || !value.isIntegralNumber() || value.asInt() < 0) {
      problems.add(
          problem(document, FieldPath.child(path, field), "a token count is a whole number >= 0"));
      return null;
    }
    return value.asInt();
  }

  private static void textField(
      Manifest document, String path, JsonNode node, String field, List<Problem> problems) {
    if (node.has(field) && !node.get(field).isValueNode()) {
      problems.add(problem(document, FieldPath.child(path, field), field + " is a string"));
    }
  }

  private static void unknownFields(
      Manifest document, String path, JsonNode node, Set<String> allowed, List<Problem> problems) {
    node.fieldNames()
        .forEachRemaining(
            name -> {
              if (!allowed.contains(name)) {
                problems.add(
                    problem(
                        document,
                        FieldPath.child(path, name),
                        "unknown field; use " + String.join(", ", new TreeSet<>(allowed))));
              }
            });
  }

  private static Problem problem(Manifest document, String path, String message) {
    return new Problem(document.file(), document.lineOf(path), "", path, message);
  }

  /** A script file that cannot be used; {@link #getMessage()} holds every problem, one a line. */
  public static final class MockScriptException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final transient List<Problem> problems;

    public MockScriptException(List<Problem> problems) {
      super(String.join("\n", Problem.formatAll(problems)));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }
}
