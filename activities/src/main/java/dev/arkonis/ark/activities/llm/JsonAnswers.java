package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finds the JSON in a model's answer and turns it into plain Java values for the workflow. */
public final class JsonAnswers {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final Pattern FENCE =
      Pattern.compile("```[ \\t]*([A-Za-z0-9_-]*)[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);
  private static final int MAX_BLOCK_STARTS = 20;

  private JsonAnswers() {}

  /**
   * The JSON of an answer that is JSON and nothing else: the whole text, or one fenced block that
   * is the whole text. Only objects and arrays count.
   */
  public static Optional<JsonNode> whole(String text) {
    return complete(text).filter(n -> n.isObject() || n.isArray());
  }

  /**
   * The JSON in an answer: the whole text when it parses, else the first ```json (or plain ```)
   * fenced block that parses, else the first balanced {@code {...}} or {@code [...]} block that
   * parses.
   */
  public static Optional<JsonNode> extract(String text) {
    if (text == null || text.isBlank()) {
      return Optional.empty();
    }
    Optional<JsonNode> whole = parse(text.strip());
    if (whole.isPresent()) {
      return whole;
    }
    Matcher fence = FENCE.matcher(text);
    while (fence.find()) {
      String language = fence.group(1);
      if (language.isEmpty() || language.equalsIgnoreCase("json")) {
        Optional<JsonNode> fenced = parse(fence.group(2).strip());
        if (fenced.isPresent()) {
          return fenced;
        }
      }
    }
    int starts = 0;
    for (int i = 0; i < text.length() && starts < MAX_BLOCK_STARTS; i++) {
      char c = text.charAt(i);
      if (c == '{' || c == '[') {
        starts++;
        int end = closingIndex(text, i);
        if (end > i) {
          Optional<JsonNode> block = parse(text.substring(i, end + 1));
          if (block.isPresent()) {
            return block;
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The answer as one complete JSON value (the whole text, or one fenced block that is the whole
   * text), of any type; empty when it is not.
   */
  public static Optional<JsonNode> complete(String text) {
    if (text == null) {
      return Optional.empty();
    }
    String body = text.strip();
    Matcher fence = FENCE.matcher(body);
    if (fence.matches()) {
      body = fence.group(2).strip();
    }
    return parse(body);
  }

  /** JSON as plain values: Map, List, String, Number, Boolean or null. */
  public static Object toPlain(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isObject()) {
      Map<String, Object> map = new LinkedHashMap<>();
      node.properties().forEach(e -> map.put(e.getKey(), toPlain(e.getValue())));
      return map;
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>(node.size());
      node.forEach(item -> list.add(toPlain(item)));
      return list;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      return node.canConvertToInt()
          ? (Object) node.intValue()
          : node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    }
    if (node.isNumber()) {
      double d = node.doubleValue();
      return Double.isFinite(d) ? (Object) d : node.decimalValue();
    }
    return node.asText();
  }

  private static Optional<JsonNode> parse(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(JSON.readTree(text)).filter(n -> !n.isMissingNode());
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /** Index of the bracket closing the one at {@code start}, skipping strings; -1 when none. */
  private static int closingIndex(String text, int start) {
    int depth = 0;
    boolean inString = false;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (inString) {
        if (c == '\\') {
          i++;
        } else if (c == '"') {
          inString = false;
        }
      } else if (c == '"') {
        inString = true;
      } else if (c == '{' || c == '[') {
        depth++;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }
}
