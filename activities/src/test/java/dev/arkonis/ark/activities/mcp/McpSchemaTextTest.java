package dev.arkonis.ark.activities.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.llm.ToolSchemas;
import dev.arkonis.ark.activities.spec.JsonSchemas;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import org.junit.jupiter.api.Test;

class McpSchemaTextTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void roundTripsTheSchemasToolsUse() throws Exception {
    String schema =
        """
        {"type": "object",
         "description": "search arguments",
         "properties": {
           "q": {"type": "string", "description": "query"},
           "limit": {"type": "integer"},
           "score": {"type": "number"},
           "exact": {"type": "boolean"},
           "mode": {"type": "string", "enum": ["fast", "deep"]},
           "tags": {"type": "array", "items": {"type": "string"}},
           "filter": {"type": "object", "properties": {"year": {"type": "integer"}},
                      "required": ["year"], "additionalProperties": false},
           "either": {"anyOf": [{"type": "string"}, {"type": "null"}]}
         },
         "required": ["q"]}
        """;
    JsonObjectSchema parsed = ToolSchemas.parameters("search", schema);

    String text = McpSchemaText.of(parsed);

    assertThat(JSON.readTree(text)).isEqualTo(JSON.readTree(schema));
    assertThat(JsonSchemas.describeProblem(text)).isEmpty();
  }

  @Test
  void noParametersIsAnEmptyObjectSchema() throws Exception {
    JsonNode node = JSON.readTree(McpSchemaText.of(null));
    assertThat(node.path("type").asText()).isEqualTo("object");
    assertThat(McpSchemaText.of(JsonObjectSchema.builder().build()))
        .isEqualTo("{\"type\":\"object\",\"properties\":{}}");
  }
}
