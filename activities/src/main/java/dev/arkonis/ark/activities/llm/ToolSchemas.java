package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNullSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Converts tool argument schemas (JSON Schema text) into langchain4j's schema model. Supports
 * {@code object} (properties, required, additionalProperties), {@code string}, {@code integer},
 * {@code number}, {@code boolean}, {@code null}, {@code array} (items), {@code enum}, {@code
 * anyOf}/{@code oneOf} and {@code description}. Nullable types ({@code ["string", "null"]}) use the
 * non-null type; a property without a type becomes a string.
 */
public final class ToolSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DEPTH = 16;

  private ToolSchemas() {}

  /** The langchain4j tool specification of a tool offered to the model. */
  public static ToolSpecification toolSpecification(ToolSpec tool) {
    ToolSpecification.Builder builder = ToolSpecification.builder().name(tool.name());
    if (tool.description() != null && !tool.description().isBlank()) {
      builder.description(tool.description());
    }
    return builder.parameters(parameters(tool.name(), tool.parametersSchema())).build();
  }

  /**
   * The argument schema of a tool; a blank schema means "no arguments".
   *
   * @throws IllegalArgumentException when the text is not JSON or not an object schema
   */
  public static JsonObjectSchema parameters(String toolName, String schemaText) {
    if (schemaText == null || schemaText.isBlank()) {
      return JsonObjectSchema.builder().build();
    }
    JsonNode schema;
    try {
      schema = JSON.readTree(schemaText);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "tool " + toolName + ": parametersSchema is not valid JSON: " + e.getOriginalMessage());
    }
    if (schema == null || !schema.isObject()) {
      throw new IllegalArgumentException(
          "tool " + toolName + ": parametersSchema must be a JSON Schema object");
    }
    String type = type(schema);
    if (!type.isEmpty() && !type.equals("object")) {
      throw new IllegalArgumentException(
          "tool " + toolName + ": parametersSchema must have type object, not " + type);
    }
    return object(schema, 0);
  }

  /** One schema node as a langchain4j element. */
  public static JsonSchemaElement element(JsonNode schema) {
    return element(schema, 0);
  }

  private static JsonSchemaElement element(JsonNode schema, int depth) {
    if (schema == null || !schema.isObject() || depth > MAX_DEPTH) {
      return JsonStringSchema.builder().build();
    }
    String description =
        schema.hasNonNull("description") ? schema.get("description").asText() : null;
    JsonNode values = schema.get("enum");
    String type = type(schema);
    if (values != null && values.isArray() && !values.isEmpty() && allText(values)) {
      List<String> names = new ArrayList<>();
      values.forEach(v -> names.add(v.asText()));
      return JsonEnumSchema.builder().enumValues(names).description(description).build();
    }
    for (String key : List.of("anyOf", "oneOf")) {
      JsonNode branches = schema.get(key);
      if (type.isEmpty() && branches != null && branches.isArray() && !branches.isEmpty()) {
        List<JsonSchemaElement> options = new ArrayList<>();
        branches.forEach(b -> options.add(element(b, depth + 1)));
        return JsonAnyOfSchema.builder().anyOf(options).description(description).build();
      }
    }
    if (values != null && values.isArray() && !values.isEmpty()) {
      description = (description == null ? "" : description + " ") + "One of: " + values;
      if (type.isEmpty()) {
        type = enumType(values);
      }
    }
    return switch (type) {
      case "object" -> object(schema, depth);
      case "array" ->
          JsonArraySchema.builder()
              .items(element(schema.get("items"), depth + 1))
              .description(description)
              .build();
      case "integer" -> JsonIntegerSchema.builder().description(description).build();
      case "number" -> JsonNumberSchema.builder().description(description).build();
      case "boolean" -> JsonBooleanSchema.builder().description(description).build();
      case "null" -> new JsonNullSchema();
      default -> JsonStringSchema.builder().description(description).build();
    };
  }

  private static JsonObjectSchema object(JsonNode schema, int depth) {
    JsonObjectSchema.Builder builder = JsonObjectSchema.builder();
    if (schema.hasNonNull("description")) {
      builder.description(schema.get("description").asText());
    }
    for (Map.Entry<String, JsonNode> property : schema.path("properties").properties()) {
      builder.addProperty(property.getKey(), element(property.getValue(), depth + 1));
    }
    List<String> required = new ArrayList<>();
    schema.path("required").forEach(r -> required.add(r.asText()));
    if (!required.isEmpty()) {
      builder.required(required);
    }
    JsonNode additional = schema.get("additionalProperties");
    if (additional != null && additional.isBoolean()) {
      builder.additionalProperties(additional.asBoolean());
    }
    return builder.build();
  }

  /** The schema's type ({@code ["x", "null"]} gives x), inferred when absent; "" when unknown. */
  private static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray()) {
      for (JsonNode t : type) {
        if (!t.asText().equals("null")) {
          return t.asText();
        }
      }
      return type.isEmpty() ? "" : "null";
    }
    if (schema.has("properties")) {
      return "object";
    }
    if (schema.has("items")) {
      return "array";
    }
    return "";
  }

  /** The type shared by all enum values ({@code integer}, {@code number}, ...), or "". */
  private static String enumType(JsonNode values) {
    boolean integers = true;
    boolean numbers = true;
    boolean booleans = true;
    for (JsonNode v : values) {
      integers &= v.isIntegralNumber();
      numbers &= v.isNumber();
      booleans &= v.isBoolean();
    }
    return integers ? "integer" : numbers ? "number" : booleans ? "boolean" : "";
  }

  private static boolean allText(JsonNode values) {
    for (JsonNode v : values) {
      if (!v.isTextual()) {
        return false;
      }
    }
    return true;
  }
}
