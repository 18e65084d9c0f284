package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.Hostile;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.manifest.SchemaValidator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The one validation path for the CLI and the operator: each object against its CRD schema, then
 * the rules a schema cannot express (the CRDs' CEL rules, references between fields, templates,
 * embedded JSON Schemas, cron expressions).
 */
public final class SpecValidator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> INPUT_MAP = new TypeReference<>() {};

  private final SchemaValidator schemas = new SchemaValidator();

  /** Problems of every manifest, in file and line order; empty when all are valid. */
  public List<Problem> validate(List<Manifest> manifests) {
    List<Problem> problems = new ArrayList<>();
    for (Manifest manifest : manifests) {
      problems.addAll(validate(manifest));
    }
    if (problems.isEmpty()) {
      checkRunInputs(manifests, problems);
      checkTeamChains(manifests, problems);
    }
    problems.sort(Comparator.comparing(Problem::file).thenComparingInt(Problem::line));
    return problems;
  }

  /**
   * Problems of an object read from the API server: only what its author wrote counts (apiVersion,
   * kind, name, namespace, spec), not status or server-set metadata.
   */
  public List<Problem> validateStored(JsonNode object) {
    ObjectNode user = JsonNodeFactory.instance.objectNode();
    user.put("apiVersion", object.path("apiVersion").asText());
    user.put("kind", object.path("kind").asText());
    ObjectNode metadata = user.putObject("metadata");
    metadata.put("name", object.path("metadata").path("name").asText());
    metadata.put("namespace", object.path("metadata").path("namespace").asText());
    if (object.has("spec")) {
      user.set("spec", object.path("spec").deepCopy());
    }
    return validate(Manifest.of(user));
  }

  /** The first {@code max} problems for a status condition, pointing to ark validate for more. */
  public static String summary(List<Problem> problems, int max) {
    String shown =
        String.join("; ", problems.stream().limit(max).map(Problem::formatForCondition).toList());
    return problems.size() > max
        ? shown + " (and " + (problems.size() - max) + " more; run 'ark validate')"
        : shown;
  }

  /**
   * Problems of one object: kinds and fields not supported yet ({@link Unsupported}), the schema,
   * and, only when the object fits its schema, the semantic rules.
   */
  public List<Problem> validate(Manifest manifest) {
    List<Problem> problems = new ArrayList<>(Hostile.invalidText(manifest));
    if (!problems.isEmpty()) {
      return problems;
    }
    Unsupported.check(manifest, problems);
    List<Problem> schemaProblems = schemas.validate(manifest);
    problems.addAll(schemaProblems);
    if (!schemaProblems.isEmpty()) {
      return problems;
    }
    JsonNode spec = manifest.tree().path("spec");
    switch (manifest.kind()) {
      case "ArkTeam" -> new TeamRules(manifest, problems).check(spec);
      case "ArkAgent" -> {
        if (manifest.name().length() > Names.MAX_LABEL) {
          problems.add(
              manifest.problem(
                  "metadata.name",
                  "agent name \""
                      + manifest.name()
                      + "\" is longer than 63 characters; shorten it (it is a label value on the"
                      + " agent's pods)"));
        }
        AgentRules.check(manifest, spec, "spec", problems);
        RegistryRules.checkCapabilities(manifest, spec, problems);
      }
      case "ArkEvent" -> EventRules.check(manifest, spec, problems);
      case "ArkService" -> {
        JsonNode selector = spec.path("selector");
        if (selector.has("arkAgent") == selector.has("matchLabels")) {
          problems.add(
              manifest.problem(
                  "spec.selector",
                  "set exactly one of arkAgent or matchLabels (one ArkAgent by name, or"
                      + " the ArkAgents carrying all of the labels)"));
        }
      }
      case "ArkRegistry" -> RegistryRules.check(manifest, spec, problems);
      case "ArkMemory" -> {
        requireWhen(manifest, spec, "backend", "redis", "redis", problems);
        requireWhen(manifest, spec, "backend", "vector-store", "vectorStore", problems);
        MemorySpecs.check(manifest, spec, problems);
      }
      case "ArkNotify" -> {
        JsonNode channel = spec.path("channel");
        requireWhen(manifest, channel, "type", "slack", "slack", problems, "spec.channel");
        requireWhen(manifest, channel, "type", "webhook", "webhook", problems, "spec.channel");
        JsonNode events = spec.path("events");
        for (int i = 0; i < events.size(); i++) {
          String path = FieldPath.child(FieldPath.index("spec.events", i), "template");
          Templates.checkSyntax(manifest, path, events.get(i).path("template"), problems);
        }
        NotifyRules.check(manifest, spec, problems);
      }
      default -> {}
    }
    return problems;
  }

  /**
   * Teams whose roles run teams of the same file ({@code arkTeam}) must not lead back to
   * themselves; a child team that is not in the file may exist in the cluster.
   */
  private static void checkTeamChains(List<Manifest> manifests, List<Problem> problems) {
    for (Manifest team : manifests) {
      if (!team.kind().equals("ArkTeam")) {
        continue;
      }
      TeamChain.check(
              team.namespace(),
              team.name(),
              team.tree().path("spec"),
              name ->
                  manifests.stream()
                      .filter(
                          m ->
                              m.kind().equals("ArkTeam")
                                  && m.name().equals(name)
                                  && m.namespace().equals(team.namespace()))
                      .map(m -> m.tree().path("spec"))
                      .findFirst())
          .filter(p -> p.kind() == TeamChain.Kind.INVALID)
          .ifPresent(
              p ->
                  problems.add(
                      team.problem(
                          "spec.roles",
                          p.team().equals(team.name())
                              ? p.detail()
                              : "through ArkTeam " + p.team() + ": " + p.detail())));
    }
  }

  /** ArkRuns next to their team in the same file must give the team's required inputs. */
  private static void checkRunInputs(List<Manifest> manifests, List<Problem> problems) {
    for (Manifest run : manifests) {
      if (!run.kind().equals("ArkRun")) {
        continue;
      }
      String team = run.tree().path("spec").path("teamRef").path("name").asText();
      for (Manifest candidate : manifests) {
        if (candidate.kind().equals("ArkTeam")
            && candidate.name().equals(team)
            && candidate.namespace().equals(run.namespace())) {
          Map<String, Object> given =
              JSON.convertValue(run.tree().path("spec").path("input"), INPUT_MAP);
          try {
            InputResolver.resolve(candidate.tree().path("spec"), given == null ? Map.of() : given);
          } catch (SpecException e) {
            problems.add(run.problem("spec.input", e.getMessage()));
          }
        }
      }
    }
  }

  private static void requireWhen(
      Manifest manifest,
      JsonNode node,
      String selector,
      String value,
      String required,
      List<Problem> problems) {
    requireWhen(manifest, node, selector, value, required, problems, "spec");
  }

  private static void requireWhen(
      Manifest manifest,
      JsonNode node,
      String selector,
      String value,
      String required,
      List<Problem> problems,
      String base) {
    if (value.equals(node.path(selector).asText()) && !node.has(required)) {
      problems.add(
          manifest.problem(
              FieldPath.child(base, selector),
              "is \""
                  + value
                  + "\" but "
                  + FieldPath.child(base, required)
                  + " is missing; add it"));
    }
  }
}
