package dev.arkonis.ark.activities.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockScriptTest {
  @TempDir Path dir;

  private Path write(String yaml) throws IOException {
    Path file = dir.resolve("script.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  private static AgentSpec agent(String role, String agent) {
    return new AgentSpec(
        role,
        agent,
        "ark/ns/" + agent,
        "mock",
        "",
        "",
        0,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  private static ChatResponse ask(ChatModel model) {
    return model.chat(ChatRequest.builder().messages(UserMessage.from("go")).build());
  }

  @Test
  void readsRepliesPerRoleWithToolCallsUsageAndErrors() throws IOException {
    MockScript script =
        MockScript.load(
            write(
                """
                triage:
                  - toolCalls: [{name: incidents__list_incidents, arguments: {open: true}}]
                  - text: '[{"id": "INC-001"}]'
                    usage: {input: 12, output: 3}
                writer:
                  - "plain"
                  - error: rate-limit
                    message: slow down
                """));

    assertThat(script.replies().keySet()).containsExactly("triage", "writer");
    ScriptedReply call = script.replies().get("triage").get(0);
    assertThat(call.toolCalls()).hasSize(1);
    assertThat(call.toolCalls().get(0).name()).isEqualTo("incidents__list_incidents");
    assertThat(call.toolCalls().get(0).arguments()).isEqualTo("{\"open\":true}");
    assertThat(script.replies().get("triage").get(1).inputTokens()).isEqualTo(12);
    assertThat(script.replies().get("writer").get(0).text()).isEqualTo("plain");
    assertThat(script.replies().get("writer").get(1).isError()).isTrue();
  }

  @Test
  void badFieldsAreNamedWithTheirLines() throws IOException {
    Path file =
        write(
            """
            triage:
              - text: ok
              - toolCalls: [{arguments: {}}]
              - txt: typo
              - error: teapot
            writer: hello
            """);

    MockScript.MockScriptException e =
        catchThrowableOfType(() -> MockScript.load(file), MockScript.MockScriptException.class);

    assertThat(e.getMessage())
        .contains(file + ":3: triage[1].toolCalls[0].name: a tool call needs a name")
        .contains(file + ":4: triage[2].txt: unknown field; use error, message, text")
        .contains(file + ":5: triage[3].error: unknown scripted error 'teapot'")
        .contains(file + ":6: writer: the replies of a role are a list");
  }

  @Test
  void yamlSyntaxErrorsAndMissingFilesAreProblems() throws IOException {
    Path broken = write("triage:\n  - text: [unclosed\n");
    assertThat(
            catchThrowableOfType(
                    () -> MockScript.load(broken), MockScript.MockScriptException.class)
                .getMessage())
        .startsWith(broken + ":")
        .contains("YAML syntax error");
    Path missing = dir.resolve("nope.yaml");
    assertThat(
            catchThrowableOfType(
                    () -> MockScript.load(missing), MockScript.MockScriptException.class)
                .getMessage())
        .isEqualTo(missing + ": file not found; check the path");
  }

  @Test
  void unknownKeysListTheRoles() throws IOException {
    Path file = write("triage:\n  - text: a\ntriager:\n  - text: b\n");
    MockScript script = MockScript.load(file);

    MockScript.MockScriptException e =
        catchThrowableOfType(
            () -> script.checkKeys(List.of("triage", "writer"), List.of(), "ArkTeam/desk"),
            MockScript.MockScriptException.class);

    assertThat(e.getMessage())
        .isEqualTo(
            file
                + ":3: triager: no role or ArkAgent of this name in ArkTeam/desk; a key is a role"
                + " name (roles: triage, writer)");
  }

  @Test
  void theRoleNameWinsOverTheAgentName() {
    MockScript script =
        new MockScript(
            "s.yaml",
            Map.of(
                "triage", List.of(ScriptedReply.text("by role")),
                "support-agent", List.of(ScriptedReply.text("by agent"))));

    assertThat(script.keyFor(agent("triage", "support-agent"))).isEqualTo("triage");
    assertThat(script.keyFor(agent("other", "support-agent"))).isEqualTo("support-agent");
    assertThat(script.keyFor(agent("other", "x"))).isNull();
  }

  @Test
  void eachRoleConsumesItsOwnListOnTaskTurnsThenTheBuiltInMockAnswers() {
    MockScript script =
        new MockScript(
            "s.yaml",
            Map.of(
                "a", List.of(ScriptedReply.text("a1"), ScriptedReply.text("a2")),
                "b", List.of(ScriptedReply.text("b1"))));
    ModelFactory factory = new ModelFactory(Map.of(), "mock", null, script);

    assertThat(ask(factory.model(agent("a", "t-a"), "task")).aiMessage().text()).isEqualTo("a1");
    assertThat(ask(factory.model(agent("b", "t-b"), "task")).aiMessage().text()).isEqualTo("b1");
    // a semantic check does not consume the role's replies
    assertThat(ask(factory.model(agent("a", "t-a"), "validate")).aiMessage().text())
        .startsWith("[mock:");
    assertThat(ask(factory.model(agent("a", "t-a"), "task")).aiMessage().text()).isEqualTo("a2");
    assertThat(ask(factory.model(agent("a", "t-a"), "task")).aiMessage().text())
        .startsWith("[mock:");
    assertThat(ask(factory.model(agent("c", "t-c"), "task")).aiMessage().text())
        .startsWith("[mock:");
  }
}
