package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.Suggestions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies a team's {@code spec.inputs[]} to the inputs of a run: defaults filled in, required
 * inputs checked, unknown ones rejected. One path for {@code ark run}, ArkRun and ArkEvent.
 */
public final class InputResolver {
  private InputResolver() {}

  /**
   * The resolved inputs, or a {@link SpecException} naming what is missing or unknown (the caller
   * adds which object it is about).
   */
  public static Map<String, Object> resolve(JsonNode teamSpec, Map<String, ?> given) {
    JsonNode declared = teamSpec.path("inputs");
    Map<String, Object> out = new LinkedHashMap<>();
    if (!declared.isArray() || declared.isEmpty()) {
      out.putAll(given);
      return out;
    }
    Set<String> names = new LinkedHashSet<>();
    List<String> missing = new ArrayList<>();
    for (JsonNode input : declared) {
      String name = input.path("name").asText();
      names.add(name);
      Object value = given.get(name);
      if (value == null && input.has("default")) {
        value = input.path("default").asText();
      }
      if (value == null && input.path("required").asBoolean(false)) {
        String type = input.path("type").asText("");
        String description = input.path("description").asText("");
        String hint =
            type.isEmpty() || description.isEmpty()
                ? type + description
                : type + ": " + description;
        missing.add("\"" + name + "\"" + (hint.isEmpty() ? "" : " (" + hint + ")"));
      } else if (value != null) {
        out.put(name, value);
      }
    }
    for (String key : given.keySet()) {
      if (!names.contains(key)) {
        String close = Suggestions.closest(key, names);
        throw new SpecException(
            "unknown input \""
                + key
                + "\""
                + (close != null ? "; did you mean \"" + close + "\"?" : "")
                + " The team declares: "
                + String.join(", ", names));
      }
    }
    if (!missing.isEmpty()) {
      throw new SpecException(
          "missing required input"
              + (missing.size() > 1 ? "s " : " ")
              + String.join(", ", missing)
              + "; pass them with --input '{\""
              + names.iterator().next()
              + "\": \"...\"}' (or spec.input of the ArkRun)");
    }
    return out;
  }

  /** Names of the team's declared inputs, in order. */
  public static List<String> declared(JsonNode teamSpec) {
    List<String> names = new ArrayList<>();
    teamSpec.path("inputs").forEach(i -> names.add(i.path("name").asText()));
    return names;
  }
}
