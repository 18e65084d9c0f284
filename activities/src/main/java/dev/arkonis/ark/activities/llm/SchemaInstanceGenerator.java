package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a deterministic value that satisfies a JSON Schema, so the mock provider can answer steps
 * that have an {@code outputSchema}.
 *
 * <p>Supported: {@code type} (also as a list, {@code null} chosen last), {@code const}, {@code
 * enum}, {@code properties} + {@code required} (every listed property is filled), {@code
 * additionalProperties}/{@code minProperties}, {@code items}/{@code prefixItems} with {@code
 * minItems}/{@code maxItems}/{@code uniqueItems}, string {@code format}/{@code minLength}/{@code
 * maxLength}, numeric bounds (inclusive and exclusive) and {@code multipleOf}, {@code anyOf}/{@code
 * oneOf} (first branch) and {@code allOf} (merged). Not supported: {@code $ref} and {@code pattern}
 * (strings are not generated to match a regular expression).
 *
 * <p>Strings are readable placeholders derived from the property name: {@code "keyPoints 1"},
 * {@code "keyPoints 2"}, ...
 */
public final class SchemaInstanceGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int DEFAULT_ITEMS = 3;
  private static final int MAX_DEPTH = 12;

  private SchemaInstanceGenerator() {}

  /** A value valid under the schema given as JSON text. */
  public static JsonNode generate(String schemaText) {
    try {
      return generate(JSON.readTree(schemaText));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the schema is not valid JSON: " + e.getOriginalMessage());
    }
  }

  /** A value valid under {@code schema}; top-level strings are named {@code "value 1"}. */
  public static JsonNode generate(JsonNode schema) {
    return generate(schema, "value");
  }

  /** A value valid under {@code schema}, with string placeholders named after {@code hint}. */
  public static JsonNode generate(JsonNode schema, String hint) {
    return value(schema, hint, 1, 0);
  }

  private static JsonNode value(JsonNode schema, String hint, int index, int depth) {
    if (schema == null || schema.isMissingNode() || schema.isNull() || depth > MAX_DEPTH) {
      return NODES.textNode(hint + " " + index);
    }
    if (schema.isBoolean()) {
      return schema.asBoolean() ? NODES.textNode(hint + " " + index) : NullNode.getInstance();
    }
    if (schema.has("const")) {
      return schema.get("const").deepCopy();
    }
    if (schema.has("enum") && schema.get("enum").isArray() && !schema.get("enum").isEmpty()) {
      JsonNode values = schema.get("enum");
      return values.get((index - 1) % values.size()).deepCopy();
    }
    if (schema.has("allOf") && schema.get("allOf").isArray()) {
      return value(mergeAllOf(schema), hint, index, depth + 1);
    }
    for (String key : List.of("anyOf", "oneOf")) {
      JsonNode branches = schema.get(key);
      if (branches != null && branches.isArray() && !branches.isEmpty()) {
        return value(firstNonNullBranch(branches), hint, index, depth + 1);
      }
    }
    return switch (type(schema)) {
      case "object" -> object(schema, depth);
      case "array" -> array(schema, hint, depth);
      case "integer" -> NODES.numberNode(integer(schema, index));
      case "number" -> NODES.numberNode(plain(number(schema, index)));
      case "boolean" -> NODES.booleanNode(index % 2 == 1);
      case "null" -> NullNode.getInstance();
      default -> NODES.textNode(string(schema, hint, index));
    };
  }

  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray() && !type.isEmpty()) {
      for (JsonNode t : type) {
        if (!"null".equals(t.asText())) {
          return t.asText();
        }
      }
      return "null";
    }
    if (schema.has("properties") || schema.has("required") || schema.has("additionalProperties")) {
      return "object";
    }
    if (schema.has("items") || schema.has("prefixItems") || schema.has("minItems")) {
      return "array";
    }
    if (schema.has("minimum") || schema.has("maximum") || schema.has("multipleOf")) {
      return "number";
    }
    return "string";
  }

  private static ObjectNode object(JsonNode schema, int depth) {
    ObjectNode result = NODES.objectNode();
    JsonNode properties = schema.path("properties");
    for (Map.Entry<String, JsonNode> field : properties.properties()) {
      result.set(field.getKey(), value(field.getValue(), field.getKey(), 1, depth + 1));
    }
    JsonNode additional = schema.get("additionalProperties");
    JsonNode extraSchema = additional != null && additional.isObject() ? additional : null;
    for (JsonNode required : schema.path("required")) {
      String name = required.asText();
      if (!result.has(name)) {
        result.set(name, value(extraSchema, name, 1, depth + 1));
      }
    }
    int minProperties = schema.path("minProperties").asInt(0);
    for (int i = 1; result.size() < minProperties && i <= minProperties + 1; i++) {
      String name = "field" + i;
      if (!result.has(name)) {
        result.set(name, value(extraSchema, name, 1, depth + 1));
      }
    }
    return result;
  }

  private static ArrayNode array(JsonNode schema, String hint, int depth) {
    JsonNode prefix = schema.has("prefixItems") ? schema.get("prefixItems") : null;
    JsonNode items = schema.get("items");
    if (items != null && items.isArray()) {
      prefix = items; // draft-07 tuple form
      items = schema.get("additionalItems");
    }
    int min = schema.path("minItems").asInt(0);
    int max = schema.has("maxItems") ? schema.get("maxItems").asInt() : Integer.MAX_VALUE;
    int count = Math.max(min, Math.min(DEFAULT_ITEMS, max));
    if (items != null && items.isBoolean() && !items.asBoolean() && prefix != null) {
      count = Math.min(count, prefix.size());
    }
    if (schema.path("uniqueItems").asBoolean(false) && items != null) {
      count = Math.max(min, Math.min(count, distinctValues(items)));
    }
    ArrayNode result = NODES.arrayNode();
    for (int i = 0; i < count; i++) {
      JsonNode itemSchema = prefix != null && i < prefix.size() ? prefix.get(i) : items;
      result.add(value(itemSchema, hint, i + 1, depth + 1));
    }
    return result;
  }

  /** How many different values the generator can produce for an item schema. */
  private static int distinctValues(JsonNode items) {
    if (items.has("const")) {
      return 1;
    }
    if (items.has("enum") && items.get("enum").isArray()) {
      return Math.max(1, items.get("enum").size());
    }
    return "boolean".equals(type(items)) ? 2 : Integer.MAX_VALUE;
  }

  private static String string(JsonNode schema, String hint, int index) {
    String format = schema.path("format").asText("");
    String text =
        switch (format) {
          case "date-time" -> String.format("2024-01-%02dT09:00:00Z", Math.min(index, 28));
          case "date" -> String.format("2024-01-%02d", Math.min(index, 28));
          case "time" -> String.format("09:%02d:00Z", Math.min(index, 59));
          case "duration" -> "PT" + index + "M";
          case "email", "idn-email" -> slug(hint) + index + "@example.com";
          case "hostname", "idn-hostname" -> slug(hint) + index + ".example.com";
          case "ipv4" -> "192.0.2." + Math.min(index, 254);
          case "ipv6" -> "2001:db8::" + Integer.toHexString(index);
          case "uri", "url", "iri", "uri-reference", "iri-reference" ->
              "https://example.com/" + slug(hint) + "/" + index;
          case "uuid" -> String.format("00000000-0000-4000-8000-%012d", index);
          default -> hint + " " + index;
        };
    int minLength = schema.path("minLength").asInt(0);
    StringBuilder padded = new StringBuilder(text);
    while (padded.length() < minLength) {
      padded.append('x');
    }
    int maxLength = schema.has("maxLength") ? schema.get("maxLength").asInt() : Integer.MAX_VALUE;
    return padded.length() > maxLength ? padded.substring(0, maxLength) : padded.toString();
  }

  private static String slug(String hint) {
    String slug = hint.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    slug = slug.replaceAll("^-+|-+$", "");
    return slug.isEmpty() ? "value" : slug;
  }

  private static long integer(JsonNode schema, int index) {
    Long low = bound(schema, "minimum", "exclusiveMinimum", true);
    Long high = bound(schema, "maximum", "exclusiveMaximum", false);
    long value = low != null ? low + index - 1 : (high != null ? Math.min(high, index) : index);
    if (high != null && value > high) {
      value = high;
    }
    long multiple = schema.path("multipleOf").asLong(0);
    if (multiple > 0 && value % multiple != 0) {
      long up = Math.floorDiv(value, multiple) * multiple + multiple;
      long down = up - multiple;
      value = high == null || up <= high ? up : down;
    }
    return value;
  }

  /** An inclusive integer bound from {@code minimum}/{@code exclusiveMinimum} (or the max pair). */
  private static Long bound(JsonNode schema, String inclusive, String exclusive, boolean lower) {
    Long result = null;
    if (schema.path(inclusive).isNumber()) {
      BigDecimal v = schema.get(inclusive).decimalValue();
      result = v.setScale(0, lower ? RoundingMode.CEILING : RoundingMode.FLOOR).longValue();
    }
    if (schema.path(exclusive).isNumber()) {
      BigDecimal v = schema.get(exclusive).decimalValue();
      long e =
          lower
              ? v.setScale(0, RoundingMode.FLOOR).longValue() + 1
              : v.setScale(0, RoundingMode.CEILING).longValue() - 1;
      result = result == null ? e : (lower ? Math.max(result, e) : Math.min(result, e));
    }
    return result;
  }

  private static BigDecimal number(JsonNode schema, int index) {
    BigDecimal low = decimal(schema, "minimum");
    BigDecimal exclusiveLow = decimal(schema, "exclusiveMinimum");
    BigDecimal high = decimal(schema, "maximum");
    BigDecimal exclusiveHigh = decimal(schema, "exclusiveMaximum");
    BigDecimal multiple = decimal(schema, "multipleOf");
    BigDecimal step = BigDecimal.valueOf(index);
    if (multiple != null && multiple.signum() > 0) {
      BigDecimal from = low != null ? low : exclusiveLow;
      BigDecimal first =
          from == null ? BigDecimal.ZERO : from.divide(multiple, 0, RoundingMode.CEILING);
      BigDecimal candidate = first.add(step).multiply(multiple);
      BigDecimal top = high != null ? high : exclusiveHigh;
      if (top != null && candidate.compareTo(top) >= 0) {
        candidate = first.multiply(multiple);
      }
      return candidate;
    }
    BigDecimal lower = max(low, exclusiveLow);
    BigDecimal upper = min(high, exclusiveHigh);
    if (lower != null && upper != null) {
      // strictly inside, so exclusive bounds hold too; equal bounds give the bound itself
      return upper
          .subtract(lower)
          .multiply(step)
          .divide(step.add(BigDecimal.ONE), 6, RoundingMode.HALF_UP)
          .add(lower);
    }
    if (lower != null) {
      return lower.add(step);
    }
    if (upper != null) {
      return upper.subtract(step);
    }
    return step.add(new BigDecimal("0.5"));
  }

  /** Without trailing zeros or an exponent: 0.5 rather than 0.500000, 20 rather than 2E+1. */
  private static BigDecimal plain(BigDecimal value) {
    BigDecimal stripped = value.stripTrailingZeros();
    return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
  }

  private static BigDecimal decimal(JsonNode schema, String field) {
    JsonNode node = schema.get(field);
    return node != null && node.isNumber() ? node.decimalValue() : null;
  }

  private static BigDecimal max(BigDecimal a, BigDecimal b) {
    return a == null ? b : (b == null ? a : a.max(b));
  }

  private static BigDecimal min(BigDecimal a, BigDecimal b) {
    return a == null ? b : (b == null ? a : a.min(b));
  }

  private static JsonNode firstNonNullBranch(JsonNode branches) {
    for (JsonNode branch : branches) {
      if (!"null".equals(branch.path("type").asText())) {
        return branch;
      }
    }
    return branches.get(0);
  }

  /** Shallow merge of {@code allOf} branches: properties and required lists are combined. */
  private static JsonNode mergeAllOf(JsonNode schema) {
    ObjectNode merged = NODES.objectNode();
    List<JsonNode> parts = new ArrayList<>();
    parts.add(schema);
    schema.get("allOf").forEach(parts::add);
    ObjectNode properties = NODES.objectNode();
    Set<String> required = new LinkedHashSet<>();
    for (JsonNode part : parts) {
      for (Map.Entry<String, JsonNode> field : part.properties()) {
        JsonNode v = field.getValue();
        switch (field.getKey()) {
          case "allOf" -> {}
          case "properties" ->
              v.properties().forEach(e -> properties.set(e.getKey(), e.getValue()));
          case "required" -> v.forEach(r -> required.add(r.asText()));
          default -> merged.set(field.getKey(), v.deepCopy());
        }
      }
    }
    if (!properties.isEmpty()) {
      merged.set("properties", properties);
    }
    if (!required.isEmpty()) {
      ArrayNode list = merged.putArray("required");
      required.forEach(list::add);
    }
    return merged;
  }
}
