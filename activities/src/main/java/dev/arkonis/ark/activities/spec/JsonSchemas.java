package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import java.util.List;
import java.util.Optional;

/**
 * JSON Schemas embedded in manifests as strings ({@code outputSchema}, tool {@code inputSchema}):
 * checked to be JSON and a valid JSON Schema, and used to validate values at run time.
 */
public final class JsonSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SchemaRegistry REGISTRY =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
  private static final Schema META =
      REGISTRY.getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));

  private JsonSchemas() {}

  /** Adds a problem when {@code node} is not the text of a valid JSON Schema. */
  static void check(Manifest manifest, String path, JsonNode node, List<Problem> problems) {
    if (node.isMissingNode() || node.isNull()) {
      return;
    }
    describeProblem(node.asText()).ifPresent(p -> problems.add(manifest.problem(path, p)));
  }

  /** Why {@code text} is not a usable JSON Schema, or empty when it is. */
  public static Optional<String> describeProblem(String text) {
    JsonNode schema;
    try {
      schema = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      return Optional.of(
          "is not valid JSON (line "
              + e.getLocation().getLineNr()
              + ", column "
              + e.getLocation().getColumnNr()
              + "): "
              + e.getOriginalMessage()
              + "; write the JSON Schema as JSON");
    }
    if (schema == null || !(schema.isObject() || schema.isBoolean())) {
      return Optional.of("must be a JSON Schema object such as {\"type\": \"object\"}");
    }
    List<Error> errors = META.validate(schema);
    if (!errors.isEmpty()) {
      Error first = errors.get(0);
      return Optional.of(
          "is not a valid JSON Schema: "
              + first.getInstanceLocation()
              + " "
              + stripPath(first.getMessage())
              + "; fix the schema");
    }
    return Optional.empty();
  }

  /**
   * Validates a value against a schema given as text; returns the violations as readable lines
   * (empty when valid).
   */
  public static List<String> violations(String schemaText, JsonNode value) {
    Schema schema;
    try {
      schema = REGISTRY.getSchema(JSON.readTree(schemaText));
    } catch (JsonProcessingException e) {
      return List.of("the schema itself is not valid JSON");
    }
    return schema.validate(value).stream()
        .map(e -> e.getInstanceLocation() + ": " + stripPath(e.getMessage()))
        .toList();
  }

  private static String stripPath(String message) {
    int colon = message.indexOf(": ");
    return message.startsWith("$") && colon > 0 ? message.substring(colon + 2) : message;
  }
}
