package dev.arkonis.ark.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The repeatable {@code --input} option of {@code ark run} and {@code ark trigger}. Each value is
 * either a JSON object ({@code --input '{"topic": "AI", "words": 300}'}, when it starts with <code>
 * {</code>) or one {@code key=value} pair ({@code --input topic=AI}; the value is a string, split
 * at the first {@code =}). The forms can be mixed: every key is collected from all of them, and a
 * key given twice, in either form, is an error.
 */
final class RunInputs {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String EXAMPLE = "--input topic=AI or --input '{\"topic\": \"AI\"}'";

  private RunInputs() {}

  /** The inputs given, in order; a bad value is a {@link UserError}. */
  static Map<String, Object> parse(List<String> values) {
    Map<String, Object> inputs = new LinkedHashMap<>();
    if (values == null) {
      return inputs;
    }
    for (String value : values) {
      if (value.strip().startsWith("{") || value.strip().startsWith("[")) {
        JsonNode parsed;
        try {
          parsed = JSON.readTree(value);
        } catch (JsonProcessingException e) {
          throw new UserError(
              "--input is not valid JSON (column "
                  + e.getLocation().getColumnNr()
                  + "): "
                  + e.getOriginalMessage()
                  + "; pass a JSON object or key=value, e.g. "
                  + EXAMPLE);
        }
        if (parsed == null || !parsed.isObject()) {
          throw new UserError("--input must be a JSON object or key=value, e.g. " + EXAMPLE);
        }
        parsed
            .fields()
            .forEachRemaining(
                e -> put(inputs, e.getKey(), JSON.convertValue(e.getValue(), Object.class)));
        continue;
      }
      int eq = value.indexOf('=');
      if (eq <= 0) {
        throw new UserError(
            "--input " + value + ": use key=value or a JSON object, e.g. " + EXAMPLE);
      }
      put(inputs, value.substring(0, eq).strip(), value.substring(eq + 1));
    }
    return inputs;
  }

  private static void put(Map<String, Object> inputs, String key, Object value) {
    if (inputs.containsKey(key)) {
      throw new UserError("--input: input \"" + key + "\" is given twice; give each input once");
    }
    inputs.put(key, value);
  }
}
