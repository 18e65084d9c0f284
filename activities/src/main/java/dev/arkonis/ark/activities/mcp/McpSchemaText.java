package dev.arkonis.ark.activities.mcp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonRawSchema;
import dev.langchain4j.model.chat.request.json.JsonReferenceSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.Map;

/**
 * Writes langchain4j's schema model (what the MCP client makes of a tool's {@code inputSchema})
 * back as JSON Schema text, the form {@code ChatRequest.ToolSpec} carries. Objects keep properties,
 * {@code required}, {@code additionalProperties} and definitions ({@code $defs}); references become
 * {@code #/$defs/<name>}; descriptions are kept everywhere.
 */
public final class McpSchemaText {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DEPTH = 32;

  private McpSchemaText() {}

  /** The JSON Schema text of a tool's parameters; no parameters → an empty object schema. */
  public static String of(JsonObjectSchema parameters) {
    if (parameters == null) {
      return "{\"type\":\"object\",\"properties\":{}}";
    }
    return toJson(parameters).toString();
  }

  /** One schema element as a JSON Schema node. */
  public static ObjectNode toJson(JsonSchemaElement element) {
    return node(element, 0);
  }

  private static ObjectNode node(JsonSchemaElement element, int depth) {
    ObjectNode node = JSON.createObjectNode();
    if (element == null || depth > MAX_DEPTH) {
      return node;
    }
    if (element instanceof JsonObjectSchema object) {
      node.put("type", "object");
      describe(node, object.description());
      ObjectNode properties = node.putObject("properties");
      if (object.properties() != null) {
        object.properties().forEach((name, p) -> properties.set(name, node(p, depth + 1)));
      }
      if (object.required() != null && !object.required().isEmpty()) {
        ArrayNode required = node.putArray("required");
        object.required().forEach(required::add);
      }
      if (object.additionalProperties() != null) {
        node.put("additionalProperties", object.additionalProperties());
      }
      Map<String, JsonSchemaElement> definitions = object.definitions();
      if (definitions != null && !definitions.isEmpty()) {
        ObjectNode defs = node.putObject("$defs");
        definitions.forEach((name, d) -> defs.set(name, node(d, depth + 1)));
      }
    } else if (element instanceof JsonStringSchema string) {
      node.put("type", "string");
      describe(node, string.description());
    } else if (element instanceof JsonIntegerSchema integer) {
      node.put("type", "integer");
      describe(node, integer.description());
    } else if (element instanceof JsonNumberSchema number) {
      node.put("type", "number");
      describe(node, number.description());
    } else if (element instanceof JsonBooleanSchema bool) {
      node.put("type", "boolean");
      describe(node, bool.description());
    } else if (element instanceof JsonEnumSchema enumeration) {
      node.put("type", "string");
      describe(node, enumeration.description());
      ArrayNode values = node.putArray("enum");
      enumeration.enumValues().forEach(values::add);
    } else if (element instanceof JsonArraySchema array) {
      node.put("type", "array");
      describe(node, array.description());
      if (array.items() != null) {
        node.set("items", node(array.items(), depth + 1));
      }
    } else if (element instanceof JsonAnyOfSchema anyOf) {
      describe(node, anyOf.description());
      ArrayNode options = node.putArray("anyOf");
      anyOf.anyOf().forEach(o -> options.add(node(o, depth + 1)));
    } else if (element instanceof JsonNullSchema) {
      node.put("type", "null");
    } else if (element instanceof JsonReferenceSchema reference) {
      String ref = reference.reference();
      node.put("$ref", ref != null && ref.startsWith("#") ? ref : "#/$defs/" + ref);
      describe(node, reference.description());
    } else if (element instanceof JsonRawSchema raw) {
      try {
        JsonNode parsed = JSON.readTree(raw.schema());
        if (parsed != null && parsed.isObject()) {
          return (ObjectNode) parsed;
        }
      } catch (JsonProcessingException e) {
        describe(node, raw.description());
      }
    }
    return node;
  }

  private static void describe(ObjectNode node, String description) {
    if (description != null && !description.isBlank()) {
      node.put("description", description);
    }
  }
}
