package dev.arkonis.ark.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks an ark object against its own CRD's {@code openAPIV3Schema}, as the API server would, with
 * a JSON Schema validator. Unknown fields are errors (like {@code kubectl apply
 * --validate=strict}); CEL rules are checked by the semantic validator.
 */
public final class SchemaValidator {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

  /** Problems of one manifest, ordered by line; empty when it conforms. */
  public List<Problem> validate(Manifest manifest) {
    Schema schema = schemas.computeIfAbsent(manifest.kind(), SchemaValidator::compile);
    List<Problem> problems = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (Error error : schema.validate(manifest.tree())) {
      String path = toFieldPath(error.getInstanceLocation());
      Problem problem = describe(manifest, path, error);
      if (seen.add(problem.field() + "|" + problem.message())) {
        problems.add(problem);
      }
    }
    problems.sort(Comparator.comparingInt(Problem::line));
    return problems;
  }

  private static Schema compile(String kind) {
    JsonNode converted = toJsonSchema(CrdCatalog.openApiSchema(kind));
    return REGISTRY.getSchema(converted);
  }

  private static Problem describe(Manifest manifest, String path, Error error) {
    String keyword = error.getKeyword() == null ? "" : error.getKeyword();
    JsonNode schemaNode = error.getSchemaNode();
    switch (keyword) {
      case "additionalProperties" -> {
        String field = error.getProperty();
        String at = FieldPath.child(path, field);
        String hint = suggestion(field, parentProperties(manifest, path));
        return manifest.problem(at, "unknown field \"" + field + "\"" + hint);
      }
      case "required" -> {
        String field = error.getProperty();
        return manifest.problem(
            path, "missing required field \"" + field + "\"; add " + FieldPath.child(path, field));
      }
      case "enum" -> {
        return manifest.problem(
            path,
            "unsupported value " + error.getInstanceNode() + "; use one of " + join(schemaNode));
      }
      case "type" -> {
        return manifest.problem(
            path,
            "must be "
                + typeName(schemaNode)
                + ", got "
                + kindOf(error.getInstanceNode())
                + (error.getInstanceNode().isTextual() ? " " + error.getInstanceNode() : ""));
      }
      default -> {
        String message = error.getMessage();
        int colon = message.indexOf(": ");
        if (message.startsWith("$") && colon > 0) {
          message = message.substring(colon + 2);
        }
        return manifest.problem(path, message);
      }
    }
  }

  private static Set<String> parentProperties(Manifest manifest, String path) {
    Set<String> names = new LinkedHashSet<>();
    JsonNode schema = CrdCatalog.openApiSchema(manifest.kind());
    for (String segment : path.isEmpty() ? new String[0] : path.split("\\.")) {
      String name = segment.replaceAll("\\[\\d+]", "");
      schema = schema.path("properties").path(name);
      for (int i = segment.indexOf('['); i >= 0; i = segment.indexOf('[', i + 1)) {
        schema = schema.path("items");
      }
    }
    schema.path("properties").fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static String suggestion(String field, Set<String> known) {
    String best = Suggestions.closest(field, known);
    if (best != null) {
      return "; did you mean \"" + best + "\"?";
    }
    return known.isEmpty()
        ? "; remove it"
        : "; remove it or use one of " + String.join(", ", known);
  }

  private static String join(JsonNode values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v.isTextual() ? v.asText() : v.toString()));
    return String.join(", ", out);
  }

  private static String typeName(JsonNode type) {
    if (type.isArray()) {
      List<String> names = new ArrayList<>();
      type.forEach(t -> names.add(article(t.asText())));
      return String.join(" or ", names);
    }
    return article(type.asText());
  }

  private static String article(String type) {
    return switch (type) {
      case "object" -> "an object (a YAML mapping)";
      case "array" -> "a list";
      case "integer" -> "an integer";
      case "string" -> "a string (quote it)";
      case "boolean" -> "true or false";
      case "number" -> "a number";
      default -> type;
    };
  }

  private static String kindOf(JsonNode node) {
    if (node == null || node.isNull()) {
      return "null";
    }
    if (node.isObject()) {
      return "an object";
    }
    if (node.isArray()) {
      return "a list";
    }
    if (node.isIntegralNumber()) {
      return "the integer " + node;
    }
    if (node.isNumber()) {
      return "the number " + node;
    }
    if (node.isBoolean()) {
      return node.toString();
    }
    return "a string";
  }

  static String toFieldPath(NodePath location) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < location.getNameCount(); i++) {
      Object element = location.getElement(i);
      if (element instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        if (out.length() > 0) {
          out.append('.');
        }
        out.append(element);
      }
    }
    return out.toString();
  }

  /**
   * Turns a structural OpenAPI v3 schema into JSON Schema: objects with properties reject unknown
   * fields unless {@code x-kubernetes-preserve-unknown-fields}, int-or-string becomes anyOf, {@code
   * nullable} admits null; descriptions, defaults and CEL rules are dropped.
   */
  static JsonNode toJsonSchema(JsonNode openApi) {
    ObjectNode out = NODES.objectNode();
    boolean preserve = openApi.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
    if (openApi.path("x-kubernetes-int-or-string").asBoolean(false)) {
      ArrayNode anyOf = out.putArray("anyOf");
      anyOf.addObject().put("type", "integer");
      anyOf.addObject().put("type", "string");
      return out;
    }
    Iterator<Map.Entry<String, JsonNode>> fields = openApi.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      switch (field.getKey()) {
        case "type" -> {
          if (openApi.path("nullable").asBoolean(false)) {
            out.putArray("type").add(value.asText()).add("null");
          } else {
            out.set("type", value);
          }
        }
        case "properties" -> {
          ObjectNode properties = out.putObject("properties");
          value
              .fields()
              .forEachRemaining(p -> properties.set(p.getKey(), toJsonSchema(p.getValue())));
        }
        case "items" -> out.set("items", toJsonSchema(value));
        case "additionalProperties" -> {
          if (value.isObject()) {
            out.set("additionalProperties", toJsonSchema(value));
          } else {
            out.set("additionalProperties", value);
          }
        }
        case "allOf", "anyOf", "oneOf" -> {
          ArrayNode list = out.putArray(field.getKey());
          value.forEach(v -> list.add(toJsonSchema(v)));
        }
        case "not" -> out.set("not", toJsonSchema(value));
        case "required",
            "enum",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "minLength",
            "maxLength",
            "pattern",
            "minItems",
            "maxItems",
            "uniqueItems",
            "minProperties",
            "maxProperties",
            "multipleOf" ->
            out.set(field.getKey(), value);
        default -> {
          // description, default, format, x-kubernetes-*, nullable: not JSON Schema assertions
        }
      }
    }
    if (openApi.has("properties") && !openApi.has("additionalProperties") && !preserve) {
      out.put("additionalProperties", false);
    }
    return out;
  }
}
