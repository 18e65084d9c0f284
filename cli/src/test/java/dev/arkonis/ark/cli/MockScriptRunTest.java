package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.RunCommandTest.json;
import static dev.arkonis.ark.cli.RunCommandTest.step;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark run --mock-script}: per-role scripted replies drive tool calls and delegations, which
 * show in the steps' {@code toolCalls}; a bad script is refused before anything runs.
 */
class MockScriptRunTest {
  @TempDir Path dir;

  private static final String SECTION = "## Testing your team without a key: --mock-script";

  /** The example of docs/testing.md, run exactly as written there. */
  @Test
  void theDocumentedExampleRunsAndPrintsWhatTheDocsSay() throws IOException {
    String docs = Files.readString(Cli.repoRoot().resolve("docs/testing.md"));
    String section = docs.substring(docs.indexOf(SECTION));
    String command = block(section, "```bash\n");
    String expected = block(section.substring(section.indexOf(command)), "```text\n");
    List<String> args = words(command);
    assertThat(args.subList(0, 2)).containsExactly("ark", "run");
    List<String> cli = new ArrayList<>();
    for (String arg : args.subList(1, args.size())) {
      cli.add(
          arg.startsWith("examples/") ? Cli.repoRoot().resolve(arg).toString() : arg); // from root
    }

    Cli result = Cli.run(cli.toArray(String[]::new));

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(masked(result.out())).isEqualTo(masked(expected));
  }

  @Test
  void anInlineToolCallAppearsInTheStepsToolCalls() throws IOException {
    List<String> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/orders",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] answer = "{\"order\": 42, \"status\": \"shipped\"}".getBytes();
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    server.start();
    try {
      Path team = dir.resolve("team.yaml");
      Files.writeString(
          team,
          """
          apiVersion: arkonis.dev/v1alpha1
          kind: ArkTeam
          metadata: {name: orders}
          spec:
            inputs: [{name: question, type: string, required: true}]
            roles:
              - name: clerk
                model: gpt-4o-mini
                tools:
                  - name: lookup_order
                    description: "An order's status."
                    url: "http://127.0.0.1:%d/orders"
                    method: POST
                    inputSchema: '{"type": "object", "properties": {"order": {"type": "integer"}}}'
            pipeline:
              - {name: answer, role: clerk, inputs: {prompt: "{{ .input.question }}"}}
          """
              .formatted(server.getAddress().getPort()));
      Path script = dir.resolve("script.yaml");
      Files.writeString(
          script,
          """
          clerk:
            - toolCalls: [{name: lookup_order, arguments: {order: 42}}]
            - text: Order 42 has shipped.
          """);

      Cli result =
          Cli.run(
              "run",
              team.toString(),
              "Where is order 42?",
              "--mock-script",
              script.toString(),
              "-o",
              "json");

      assertThat(result.exitCode()).as(result.err()).isZero();
      JsonNode answer = step(json(result), "answer");
      assertThat(answer.path("output").asText()).isEqualTo("Order 42 has shipped.");
      JsonNode call = answer.path("toolCalls").get(0);
      assertThat(call.path("name").asText()).isEqualTo("lookup_order");
      assertThat(call.path("arguments").asText()).isEqualTo("{\"order\":42}");
      assertThat(call.path("outcome").asText()).isEqualTo("ok");
      assertThat(call.path("result").asText()).contains("\"status\": \"shipped\"");
      assertThat(answer.path("toolCalls")).hasSize(1);
      assertThat(bodies).containsExactly("{\"order\":42}");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void aDelegationAndARefusedOneAppearWithTheirOutcomes() throws IOException {
    Path script = dir.resolve("script.yaml");
    Files.writeString(
        script,
        """
        triage:
          - toolCalls:
              - {name: delegate, arguments: {role: billing, task: Refund invoice 7}}
              - {name: delegate, arguments: {role: legal, task: Sue them}}
          - text: Refunded.
        billing:
          - text: Refund issued.
        """);
    Path team = Cli.repoRoot().resolve("examples/mock-script/support-team.yaml");

    Cli result = Cli.run("run", team.toString(), "Refund?", "--mock-script", script.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out())
        .contains(
            "triage: delegate {\"role\":\"billing\",\"task\":\"Refund invoice 7\"} → ok: Refund"
                + " issued.")
        .contains(
            "triage: delegate {\"role\":\"legal\",\"task\":\"Sue them\"} → denied: refused: role"
                + " \"legal\" is not one you may delegate to");
  }

  @Test
  void aBadScriptIsRefusedWithFileLineAndFieldAndNothingRuns() throws IOException {
    Path script = dir.resolve("bad.yaml");
    Files.writeString(script, "triage:\n  - text: ok\n  - toolCalls: [{arguments: {}}]\n");

    Cli result =
        Cli.run(
            "run",
            Cli.repoRoot().resolve("examples/mock-script/support-team.yaml").toString(),
            "x",
            "--mock-script",
            script.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains(script + ":3: triage[1].toolCalls[0].name: a tool call needs a name")
        .doesNotContain("Exception");
    assertThat(result.out()).doesNotContain("Running");
  }

  @Test
  void anUnknownRoleIsRefusedListingTheRoles() throws IOException {
    Path script = dir.resolve("script.yaml");
    Files.writeString(script, "triage:\n  - text: a\nbiling:\n  - text: b\n");

    Cli result =
        Cli.run(
            "run",
            Cli.repoRoot().resolve("examples/mock-script/support-team.yaml").toString(),
            "x",
            "--mock-script",
            script.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains(
            script
                + ":3: biling: no role or ArkAgent of this name in ArkTeam/support-desk; a key is a"
                + " role name (roles: billing, triage; ArkAgents: support-desk-billing,"
                + " support-desk-triage)");
    assertThat(result.out()).doesNotContain("Running");
  }

  @Test
  void anotherProviderThanMockIsRefused() throws IOException {
    Path script = dir.resolve("script.yaml");
    Files.writeString(script, "triage:\n  - text: a\n");

    Cli result =
        Cli.run(
            "run",
            Cli.repoRoot().resolve("examples/mock-script/support-team.yaml").toString(),
            "x",
            "--provider",
            "openai",
            "--mock-script",
            script.toString());

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--mock-script answers through the mock provider");
  }

  /** The text of the first fenced block opened by {@code fence} in {@code text}. */
  private static String block(String text, String fence) {
    int start = text.indexOf(fence);
    assertThat(start).as("a " + fence.strip() + " block").isNotNegative();
    start += fence.length();
    return text.substring(start, text.indexOf("```", start));
  }

  /** Shell words of a one-line command: double-quoted strings kept together. */
  private static List<String> words(String command) {
    List<String> words = new ArrayList<>();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(command.strip());
    while (m.find()) {
      words.add(m.group(1) != null ? m.group(1) : m.group(2));
    }
    return words;
  }

  /** The output without what changes from run to run: run name suffixes and durations. */
  private static String masked(String out) {
    return out.replaceAll("support-desk-[a-z0-9]{5}\\b", "support-desk-RUN")
        .replaceAll("\\b\\d+\\.\\ds\\b", "D")
        .strip();
  }
}
