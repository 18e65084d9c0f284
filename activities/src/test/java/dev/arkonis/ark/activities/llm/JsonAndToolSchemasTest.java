package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.workflows.api.ChatRequest.ToolSpec;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.model.chat.request.json.JsonAnyOfSchema;
import dev.langchain4j.model.chat.request.json.JsonArraySchema;
import dev.langchain4j.model.chat.request.json.JsonBooleanSchema;
import dev.langchain4j.model.chat.request.json.JsonEnumSchema;
import dev.langchain4j.model.chat.request.json.JsonIntegerSchema;
import dev.langchain4j.model.chat.request.json.JsonNumberSchema;
import dev.langchain4j.model.chat.request.json.JsonObjectSchema;
import dev.langchain4j.model.chat.request.json.JsonSchemaElement;
import dev.langchain4j.model.chat.request.json.JsonStringSchema;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonAndToolSchemasTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          {"a": 1}                                        | {"a":1}
          '  [1, 2]  '                                    | [1,2]
          Here:\\n```json\\n{"a": "}"}\\n```\\nDone.      | {"a":"}"}
          ```\\n{"b": true}\\n```                         | {"b":true}
          ```python\\nx = {1: 2}\\n```\\n{"c": [3]}       | {"c":[3]}
          Result: {"d": {"e": [1, {"f": "]"}]}} thanks    | {"d":{"e":[1,{"f":"]"}]}}
          broken {"g": } then [4, 5]                      | [4,5]
          42                                              | 42
          """)
  void extractsJson(String answer, String expected) {
    String text = answer.replace("\\n", "\n");

    assertThat(JsonAnswers.extract(text)).map(JsonNode::toString).contains(expected);
  }

  @Test
  void findsNothingInProse() {
    assertThat(JsonAnswers.extract("No JSON here, sorry.")).isEmpty();
    assertThat(JsonAnswers.extract("")).isEmpty();
    assertThat(JsonAnswers.extract(null)).isEmpty();
  }

  @Test
  void wholeAcceptsOnlyAnswersThatAreJsonObjectsOrArrays() {
    assertThat(JsonAnswers.whole(" {\"a\": 1} ")).isPresent();
    assertThat(JsonAnswers.whole("```json\n[1]\n```")).isPresent();
    assertThat(JsonAnswers.whole("{\"a\": 1} and more")).isEmpty();
    assertThat(JsonAnswers.whole("42")).isEmpty();
    assertThat(JsonAnswers.whole("\"text\"")).isEmpty();
  }

  @Test
  void convertsToPlainJavaValues() {
    Optional<JsonNode> json =
        JsonAnswers.extract(
            "{\"s\":\"x\",\"i\":7,\"l\":12345678901,\"big\":123456789012345678901234567890,"
                + "\"d\":0.25,\"b\":false,\"n\":null,\"list\":[{\"k\":1}]}");

    @SuppressWarnings("unchecked")
    Map<String, Object> plain = (Map<String, Object>) JsonAnswers.toPlain(json.orElseThrow());

    assertThat(plain.get("s")).isEqualTo("x");
    assertThat(plain.get("i")).isEqualTo(7);
    assertThat(plain.get("l")).isEqualTo(12345678901L);
    assertThat(plain.get("big")).isEqualTo(new BigInteger("123456789012345678901234567890"));
    assertThat(plain.get("d")).isEqualTo(0.25);
    assertThat(plain.get("b")).isEqualTo(false);
    assertThat(plain).containsEntry("n", null);
    assertThat(plain.get("list")).isEqualTo(List.of(Map.of("k", 1)));
  }

  @Test
  void convertsToolSchemas() {
    ToolSpecification tool =
        ToolSchemas.toolSpecification(
            new ToolSpec(
                "create_ticket",
                "Open a ticket",
                """
                {"type": "object",
                 "properties": {
                   "title": {"type": "string", "description": "Short title"},
                   "priority": {"type": "string", "enum": ["low", "high"]},
                   "count": {"type": "integer"},
                   "score": {"type": "number"},
                   "urgent": {"type": "boolean"},
                   "tags": {"type": "array", "items": {"type": "string"}},
                   "owner": {"type": "object", "properties": {"name": {"type": "string"}},
                             "required": ["name"], "additionalProperties": false},
                   "note": {"type": ["string", "null"]},
                   "level": {"enum": [1, 2, 3]},
                   "ref": {"anyOf": [{"type": "string"}, {"type": "integer"}]}
                 },
                 "required": ["title", "priority"]}
                """));

    assertThat(tool.name()).isEqualTo("create_ticket");
    assertThat(tool.description()).isEqualTo("Open a ticket");
    JsonObjectSchema parameters = tool.parameters();
    assertThat(parameters.required()).containsExactly("title", "priority");
    Map<String, JsonSchemaElement> p = parameters.properties();
    assertThat(p.get("title"))
        .isEqualTo(JsonStringSchema.builder().description("Short title").build());
    assertThat(p.get("priority"))
        .isEqualTo(JsonEnumSchema.builder().enumValues("low", "high").build());
    assertThat(p.get("count")).isInstanceOf(JsonIntegerSchema.class);
    assertThat(p.get("score")).isInstanceOf(JsonNumberSchema.class);
    assertThat(p.get("urgent")).isInstanceOf(JsonBooleanSchema.class);
    assertThat(((JsonArraySchema) p.get("tags")).items()).isInstanceOf(JsonStringSchema.class);
    JsonObjectSchema owner = (JsonObjectSchema) p.get("owner");
    assertThat(owner.required()).containsExactly("name");
    assertThat(owner.additionalProperties()).isFalse();
    assertThat(p.get("note")).isInstanceOf(JsonStringSchema.class);
    assertThat(p.get("level")).isInstanceOf(JsonIntegerSchema.class);
    assertThat(p.get("level").description()).contains("One of: [1,2,3]");
    assertThat(((JsonAnyOfSchema) p.get("ref")).anyOf()).hasSize(2);
  }

  @Test
  void aToolWithoutSchemaTakesNoArguments() {
    assertThat(ToolSchemas.parameters("ping", null).properties()).isEmpty();
    assertThat(ToolSchemas.parameters("ping", "{}").properties()).isEmpty();
  }

  @Test
  void rejectsSchemasThatAreNotObjects() {
    assertThatThrownBy(() -> ToolSchemas.parameters("t", "{\"type\": \"string\"}"))
        .hasMessageContaining("tool t: parametersSchema must have type object");
    assertThatThrownBy(() -> ToolSchemas.parameters("t", "[1]"))
        .hasMessageContaining("must be a JSON Schema object");
    assertThatThrownBy(() -> ToolSchemas.parameters("t", "{oops"))
        .hasMessageContaining("not valid JSON");
  }
}
