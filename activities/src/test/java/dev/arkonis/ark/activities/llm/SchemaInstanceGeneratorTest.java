package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchemaInstanceGeneratorTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** The researcher step's outputSchema from the upstream blog-writer example. */
  static String blogWriterResearcherSchema() throws IOException {
    try (InputStream in =
        SchemaInstanceGeneratorTest.class.getResourceAsStream("/llm/blog-writer.yaml")) {
      JsonNode team = YAML.readTree(in);
      for (JsonNode step : team.path("spec").path("pipeline")) {
        if (step.path("role").asText().equals("researcher")) {
          return step.path("outputSchema").asText();
        }
      }
    }
    throw new IllegalStateException("no researcher step in blog-writer.yaml");
  }

  static Stream<Arguments> schemas() throws IOException {
    return Stream.of(
        Arguments.of("blog-writer researcher", blogWriterResearcherSchema()),
        Arguments.of(
            "nested objects, enums, required-only properties",
            """
            {"type": "object",
             "properties": {
               "ticket": {"type": "object",
                          "properties": {"id": {"type": "integer", "minimum": 1000},
                                         "priority": {"enum": ["low", "high"]},
                                         "tags": {"type": "array", "items": {"type": "string"}}},
                          "required": ["id", "priority"],
                          "additionalProperties": false},
               "resolved": {"type": "boolean"},
               "note": {"type": ["string", "null"], "minLength": 20}},
             "required": ["ticket", "resolved", "summary"]}
            """),
        Arguments.of(
            "formats",
            """
            {"type": "object", "required": ["at", "day", "mail", "link", "id", "host", "ip"],
             "properties": {"at": {"type": "string", "format": "date-time"},
                            "day": {"type": "string", "format": "date"},
                            "mail": {"type": "string", "format": "email"},
                            "link": {"type": "string", "format": "uri"},
                            "id": {"type": "string", "format": "uuid"},
                            "host": {"type": "string", "format": "hostname"},
                            "ip": {"type": "string", "format": "ipv4"}}}
            """),
        Arguments.of(
            "numeric bounds",
            """
            {"type": "object",
             "properties": {"score": {"type": "number", "minimum": 0, "maximum": 1},
                            "open": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                            "negative": {"type": "integer", "maximum": -5},
                            "step": {"type": "integer", "minimum": 7, "multipleOf": 5},
                            "quarter": {"type": "number", "minimum": 0.1, "multipleOf": 0.25},
                            "exact": {"type": "integer", "minimum": 3, "maximum": 3},
                            "above": {"type": "integer", "exclusiveMinimum": 10}}}
            """),
        Arguments.of(
            "array sizes and unique items",
            """
            {"type": "object",
             "properties": {"many": {"type": "array", "minItems": 5, "items": {"type": "integer"}},
                            "one": {"type": "array", "maxItems": 1, "items": {"type": "string"}},
                            "colors": {"type": "array", "uniqueItems": true,
                                       "items": {"enum": ["red", "green"]}},
                            "flags": {"type": "array", "uniqueItems": true,
                                      "items": {"type": "boolean"}},
                            "pair": {"type": "array", "prefixItems": [{"type": "integer"},
                                     {"type": "string"}], "items": false}}}
            """),
        Arguments.of(
            "const, allOf, anyOf, lengths",
            """
            {"allOf": [{"type": "object", "properties": {"kind": {"const": "report"}},
                        "required": ["kind"]},
                       {"properties": {"title": {"type": "string", "minLength": 3,
                                                 "maxLength": 8}},
                        "required": ["title"]}],
             "properties": {"value": {"anyOf": [{"type": "null"}, {"type": "integer"}]}},
             "required": ["value"]}
            """),
        Arguments.of("top-level array", "{\"type\": \"array\", \"items\": {\"type\": \"string\"}}"),
        Arguments.of("top-level string", "{\"type\": \"string\", \"enum\": [\"VALID\"]}"),
        Arguments.of(
            "minProperties with additionalProperties schema",
            """
            {"type": "object", "minProperties": 2,
             "additionalProperties": {"type": "integer", "minimum": 1}}
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemas")
  void generatedInstanceIsValid(String name, String schema) {
    JsonNode instance = SchemaInstanceGenerator.generate(schema);

    assertThat(JsonSchemas.violations(schema, instance)).as(instance.toString()).isEmpty();
  }

  @Test
  void blogWriterInstanceReadsLikeAnAnswer() throws IOException {
    JsonNode instance = SchemaInstanceGenerator.generate(blogWriterResearcherSchema());

    assertThat(instance.path("keyPoints")).hasSize(3);
    assertThat(instance.path("keyPoints").get(0).asText()).isEqualTo("keyPoints 1");
    assertThat(instance.path("keyPoints").get(2).asText()).isEqualTo("keyPoints 3");
    assertThat(instance.path("tone").asText()).isEqualTo("tone 1");
  }

  @Test
  void sameSchemaGivesSameInstance() throws IOException {
    String schema = blogWriterResearcherSchema();

    assertThat(SchemaInstanceGenerator.generate(schema))
        .isEqualTo(SchemaInstanceGenerator.generate(schema));
  }
}
