package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.HttpToolSpec;
import dev.arkonis.ark.workflows.api.McpServerSpec;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.SecretRef;
import dev.arkonis.ark.workflows.api.StepSpec;
import dev.arkonis.ark.workflows.api.ToolActivities;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Builds the {@link RunPlan} the workflow executes from an ArkTeam spec and what it refers to
 * (ArkAgents, ArkSettings, prompt ConfigMaps/Secrets). Used by the CLI and the operator alike.
 */
public final class RunPlanner {
  /** Default for {@code maxDelegationDepth}. */
  public static final int DEFAULT_DELEGATION_DEPTH = 3;

  /** The ArkSettings {@code outputFormat} that also turns on the provider's JSON mode. */
  static final String STRUCTURED_JSON = "structured-json";

  /**
   * Where referenced objects come from: a file for the CLI, the informer caches for the operator.
   */
  public interface References {
    /** The spec of an ArkAgent in the run's namespace. */
    Optional<JsonNode> agent(String name);

    /** The spec of an ArkSettings in the run's namespace. */
    Optional<JsonNode> settings(String name);

    /** The spec of an ArkMemory in the run's namespace. */
    default Optional<JsonNode> memory(String name) {
      return Optional.empty();
    }

    /** A key of a ConfigMap ({@code secret=false}) or Secret in the run's namespace. */
    Optional<String> key(boolean secret, String name, String key);

    /** An ArkRegistry of the run's namespace, the whole object (routed teams). */
    default Optional<JsonNode> registry(String name) {
      return Optional.empty();
    }

    /** Every ArkAgent of the run's namespace, whole objects with metadata (routed teams). */
    default List<JsonNode> agents() {
      return List.of();
    }

    /** The spec of an ArkTeam in the run's namespace (roles with {@code arkTeam}). */
    default Optional<JsonNode> team(String name) {
      return Optional.empty();
    }
  }

  private final References refs;
  private final Consumer<String> notices;
  private final boolean mcp;
  private final boolean requireReferences;

  /**
   * @param refs resolves referenced objects
   * @param notices receives one-line notices about references that could not be resolved
   * @param mcp false to leave MCP servers out (e.g. {@code ark run --no-mcp} for recipes whose
   *     servers only exist in a cluster)
   */
  public RunPlanner(References refs, Consumer<String> notices, boolean mcp) {
    this(refs, notices, mcp, false);
  }

  private RunPlanner(
      References refs, Consumer<String> notices, boolean mcp, boolean requireReferences) {
    this.refs = refs;
    this.notices = notices;
    this.mcp = mcp;
    this.requireReferences = requireReferences;
  }

  /**
   * This planner, but a {@code systemPromptRef} or {@code configRef} that cannot be resolved is a
   * {@link SpecException} instead of a notice (the operator: a run never starts without the prompt
   * or settings its team refers to).
   */
  public RunPlanner requiringReferences() {
    return new RunPlanner(refs, notices, mcp, true);
  }

  /** The plan for one run of {@code team}; {@code input} must already be resolved. */
  public RunPlan plan(
      String namespace,
      String team,
      JsonNode teamSpec,
      String runName,
      Map<String, Object> input,
      Map<String, Object> trigger,
      Map<String, RunPlan.PriorStep> priorSteps,
      Long maxTokensOverride,
      Long timeoutOverride) {
    if (teamSpec.has("routing")) {
      RoutedPlanner.Routed routed =
          RoutedPlanner.plan(
              refs, namespace, team, teamSpec, (t, role) -> agentFor(namespace, t, role));
      return new RunPlan(
              namespace,
              runName,
              team,
              input,
              trigger,
              routed.agents(),
              List.of(),
              null,
              text(teamSpec, "output"),
              timeoutOverride != null ? timeoutOverride : teamSpec.path("timeoutSeconds").asLong(0),
              maxTokensOverride != null ? maxTokensOverride : teamSpec.path("maxTokens").asLong(0),
              routed.depth(),
              priorSteps)
          .withNotify(teamSpec.path("notifyRef").path("name").asText(null))
          .withRouting(routed.routing());
    }
    Map<String, AgentSpec> agents = new LinkedHashMap<>();
    Map<String, RunPlan.ChildTeam> teams = new LinkedHashMap<>();
    for (JsonNode role : teamSpec.path("roles")) {
      if (role.hasNonNull("arkTeam")) {
        teams.put(
            role.path("name").asText(), ChildTeams.of(this, refs, namespace, team, teamSpec, role));
        continue;
      }
      AgentSpec agent = agentFor(namespace, team, role);
      agents.put(agent.role(), agent);
    }
    List<StepSpec> steps = new ArrayList<>();
    for (JsonNode step : teamSpec.path("pipeline")) {
      steps.add(step(step));
    }
    return new RunPlan(
            namespace,
            runName,
            team,
            input,
            trigger,
            agents,
            steps,
            text(teamSpec, "entry"),
            text(teamSpec, "output"),
            timeoutOverride != null ? timeoutOverride : teamSpec.path("timeoutSeconds").asLong(0),
            maxTokensOverride != null ? maxTokensOverride : teamSpec.path("maxTokens").asLong(0),
            teamSpec.path("maxDelegationDepth").asInt(DEFAULT_DELEGATION_DEPTH),
            priorSteps)
        .withNotify(teamSpec.path("notifyRef").path("name").asText(null))
        .withTeams(teams);
  }

  /**
   * One ArkAgent on its own, as the task of an ArkService runs it: role and agent are the agent's
   * name, no delegation.
   *
   * @throws SpecException when the agent does not exist or uses a field not supported yet
   */
  public AgentSpec agent(String namespace, String service, String agentName) {
    com.fasterxml.jackson.databind.node.ObjectNode role =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    role.put("name", agentName).put("arkAgent", agentName);
    try {
      return agentFor(namespace, service, role);
    } catch (SpecException e) {
      throw new SpecException(
          e.getMessage().replace("ArkTeam/" + service, "ArkService/" + service));
    }
  }

  private AgentSpec agentFor(String namespace, String team, JsonNode role) {
    String roleName = role.path("name").asText();
    JsonNode spec = role;
    String agentName = team + "-" + roleName;
    if (role.hasNonNull("arkAgent")) {
      agentName = role.path("arkAgent").asText();
      String name = agentName;
      spec =
          refs.agent(agentName)
              .orElseThrow(
                  () ->
                      new SpecException(
                          "ArkTeam/"
                              + team
                              + ": role \""
                              + roleName
                              + "\" uses arkAgent \""
                              + name
                              + "\", which does not exist in namespace "
                              + namespace
                              + "; create the ArkAgent (or add it to the file)"));
      String unsupported = Unsupported.firstIn("ArkAgent", spec);
      if (unsupported != null) {
        throw new SpecException(
            "ArkTeam/"
                + team
                + ": role \""
                + roleName
                + "\" uses arkAgent \""
                + agentName
                + "\": "
                + unsupported);
      }
    }
    JsonNode settings = settingsOf(team, roleName, spec);
    JsonNode limits = spec.path("limits");
    int maxTokens =
        limits.path("maxTokensPerCall").asInt(settings.path("maxTokensPerCall").asInt(0));
    Double temperature = null;
    if (settings.hasNonNull("temperature")) {
      temperature = Double.valueOf(settings.path("temperature").asText());
    }
    boolean jsonMode = STRUCTURED_JSON.equals(settings.path("outputFormat").asText().trim());
    List<String> canDelegate = new ArrayList<>();
    role.path("canDelegate").forEach(r -> canDelegate.add(r.asText()));
    List<McpServerSpec> servers = mcpServers(team, roleName, spec);
    SecretRef promptSecret = promptSecret(namespace, spec);
    return new AgentSpec(
        roleName,
        agentName,
        RunPlan.taskQueue(namespace, agentName),
        spec.path("model").asText(""),
        spec.path("provider").asText(""),
        withGuidance(systemPrompt(team, roleName, spec, settings, promptSecret), servers),
        maxTokens,
        limits.path("timeoutSeconds").asInt(0),
        temperature,
        jsonMode,
        canDelegate,
        servers,
        httpTools(spec),
        limits.path("maxDailyTokens").asLong(0),
        promptSecret,
        memory(namespace, team, roleName, agentName, spec));
  }

  /** The agent's ArkMemory ({@code memoryRef}) without its Secret's value, or null. */
  private MemorySpec memory(
      String namespace, String team, String role, String agentName, JsonNode spec) {
    String name = refName(spec.path("memoryRef"));
    if (name == null) {
      return null;
    }
    Optional<JsonNode> memory = refs.memory(name);
    if (memory.isEmpty()) {
      String where =
          "ArkTeam/" + team + " role " + role + ": memoryRef: ArkMemory \"" + name + "\"";
      if (requireReferences) {
        throw new SpecException(
            where + " not found; create it (or fix the reference), then start the run again");
      }
      notices.accept(where + " not found; running without memory");
      return null;
    }
    return MemorySpecs.of(namespace, name, agentName, memory.get());
  }

  /**
   * The Secret key of a {@code systemPromptRef.secretKeyRef} that exists, or null. Its value stays
   * out of the plan: the chat activity resolves it ({@link SecretRef}).
   */
  private SecretRef promptSecret(String namespace, JsonNode spec) {
    JsonNode key = spec.path("systemPromptRef").path("secretKeyRef");
    if (!key.isObject()) {
      return null;
    }
    String name = key.path("name").asText();
    String k = key.path("key").asText();
    return refs.key(true, name, k).isPresent() ? new SecretRef(namespace, name, k) : null;
  }

  private List<McpServerSpec> mcpServers(String team, String role, JsonNode spec) {
    List<McpServerSpec> servers = new ArrayList<>();
    for (JsonNode server : spec.path("mcpServers")) {
      servers.add(
          new McpServerSpec(
              server.path("name").asText(),
              server.path("url").asText(),
              server.path("transport").asText(""),
              server.path("guidance").asText(""),
              text(server.path("headersFrom").path("secretRef"), "name"),
              plainHeaders(server.path("headers"))));
    }
    if (!mcp && !servers.isEmpty()) {
      notices.accept(
          "ArkTeam/"
              + team
              + " role "
              + role
              + ": MCP servers left out (--no-mcp): "
              + String.join(", ", servers.stream().map(McpServerSpec::name).toList()));
      return List.of();
    }
    return servers;
  }

  /** {@code mcpServers[].headers}: header name → value (not secret: secrets go in headersFrom). */
  private static Map<String, String> plainHeaders(JsonNode headers) {
    Map<String, String> out = new java.util.TreeMap<>();
    headers.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText("")));
    return out;
  }

  private static List<HttpToolSpec> httpTools(JsonNode spec) {
    List<HttpToolSpec> tools = new ArrayList<>();
    for (JsonNode tool : spec.path("tools")) {
      tools.add(
          new HttpToolSpec(
              tool.path("name").asText(),
              tool.path("description").asText(""),
              tool.path("url").asText(),
              tool.path("method").asText("POST"),
              text(tool, "inputSchema"),
              tool.path("timeoutSeconds").asInt(0)));
    }
    return tools;
  }

  /** MCP server guidance goes into the system prompt, one paragraph per server. */
  private static String withGuidance(String prompt, List<McpServerSpec> servers) {
    StringBuilder out = new StringBuilder(prompt);
    for (McpServerSpec server : servers) {
      if (!server.guidance().isBlank()) {
        out.append(out.length() > 0 ? "\n\n" : "")
            .append("Tools named ")
            .append(server.name())
            .append(ToolActivities.MCP_SEPARATOR)
            .append("* come from the MCP server \"")
            .append(server.name())
            .append("\". ")
            .append(server.guidance().trim());
      }
    }
    return out.toString();
  }

  private JsonNode settingsOf(String team, String role, JsonNode spec) {
    String name = refName(spec.path("configRef"));
    if (name == null) {
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    Optional<JsonNode> settings = refs.settings(name);
    if (settings.isEmpty() && requireReferences) {
      throw new SpecException(
          "ArkTeam/"
              + team
              + " role "
              + role
              + ": configRef: ArkSettings \""
              + name
              + "\" not found; create it (or fix the reference), then start the run again");
    }
    if (settings.isEmpty()) {
      notices.accept(
          "ArkTeam/"
              + team
              + " role "
              + role
              + ": ArkSettings \""
              + name
              + "\" not found; running without it");
      return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }
    return settings.get();
  }

  private String systemPrompt(
      String team, String role, JsonNode spec, JsonNode settings, SecretRef promptSecret) {
    String prompt = spec.path("systemPrompt").asText("");
    JsonNode ref = spec.path("systemPromptRef");
    if (promptSecret != null) {
      prompt = SecretRef.PLACEHOLDER;
    } else if (ref.isObject()) {
      boolean secret = ref.has("secretKeyRef");
      JsonNode key = secret ? ref.path("secretKeyRef") : ref.path("configMapKeyRef");
      String name = key.path("name").asText();
      String k = key.path("key").asText();
      Optional<String> value = refs.key(secret, name, k);
      if (value.isPresent()) {
        prompt = value.get();
      } else if (key.path("optional").asBoolean(false)) {
        // optional: a missing object or key means no prompt from it, not an error
      } else if (requireReferences) {
        throw new SpecException(
            "ArkTeam/"
                + team
                + " role "
                + role
                + ": systemPromptRef: "
                + (secret ? "Secret " : "ConfigMap ")
                + name
                + " key "
                + k
                + " not found; create it (or fix the reference), then start the run again");
      } else {
        notices.accept(
            "ArkTeam/"
                + team
                + " role "
                + role
                + ": systemPromptRef "
                + (secret ? "Secret " : "ConfigMap ")
                + name
                + " key "
                + k
                + " not found; "
                + (prompt.isEmpty()
                    ? "running without a system prompt"
                    : "using the inline systemPrompt"));
      }
    }
    JsonNode fragments = settings.path("promptFragments");
    String persona = fragments.path("persona").asText("");
    String rules = fragments.path("outputRules").asText("");
    StringBuilder out = new StringBuilder();
    if (!persona.isBlank()) {
      out.append(persona.trim()).append("\n\n");
    }
    out.append(prompt.trim());
    if (!rules.isBlank()) {
      out.append("\n\n").append(rules.trim());
    }
    String format = settings.path("outputFormat").asText("");
    if (!format.isBlank()) {
      out.append("\n\n").append(outputFormatLine(format.trim()));
    }
    return out.toString().trim();
  }

  /** ArkSettings {@code outputFormat} as the last paragraph of the system prompt. */
  static String outputFormatLine(String format) {
    return STRUCTURED_JSON.equals(format)
        ? "Output format: structured-json. Answer with one JSON value and nothing else."
        : "Output format: " + format + ".";
  }

  private static StepSpec step(JsonNode step) {
    Map<String, String> inputs = new LinkedHashMap<>();
    step.path("inputs")
        .fields()
        .forEachRemaining(f -> inputs.put(f.getKey(), f.getValue().asText()));
    List<String> dependsOn = new ArrayList<>();
    step.path("dependsOn").forEach(d -> dependsOn.add(d.asText()));
    JsonNode loop = step.path("loop");
    JsonNode validate = step.path("validate");
    return new StepSpec(
        TeamRules.stepName(step),
        step.path("role").asText(),
        dependsOn,
        inputs,
        text(step, "outputSchema"),
        text(step, "if"),
        loop.isObject()
            ? new StepSpec.Loop(
                loop.path("condition").asText(""), loop.path("maxIterations").asInt(10))
            : null,
        validate.isObject()
            ? new StepSpec.Validation(
                text(validate, "semantic"),
                validate.path("onFailure").asText("fail"),
                validate.path("maxRetries").asInt(2))
            : null,
        step.path("timeoutSeconds").asInt(0),
        step.has("retries") ? step.path("retries").asInt() : -1);
  }

  private static String refName(JsonNode ref) {
    if (ref.isTextual()) {
      return ref.asText();
    }
    if (ref.isObject() && ref.hasNonNull("name")) {
      return ref.path("name").asText();
    }
    return null;
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isNull() || value.isMissingNode() ? null : value.asText();
  }
}
