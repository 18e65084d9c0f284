package dev.arkonis.ark.workflows.template;

import static dev.arkonis.ark.workflows.template.TestData.map;
import static dev.arkonis.ark.workflows.template.TestData.render;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The template strings of the upstream recipes, rendered exactly. The strings are written out here
 * so this test needs no files; {@link UpstreamTemplatesCompatTest} checks, when the upstream
 * recipes are present, that {@link #ALL} is exactly the set of templates they contain.
 */
class UpstreamTemplatesTest {

  // analytics-team.yaml: ArkNotify event templates

  static final String TEAM_FAILED =
      """
      :x: *Analytics pipeline failed*
      Team: `{{ .team.name }}`
      Run: `{{ .run.name }}`
      Reason: {{ .run.status.message }}
      Failed step: {{ .run.status.failedStep }}
      <{{ .run.dashboardUrl }}|View in dashboard>
      """;

  static final String TEAM_TIMED_OUT =
      """
      :hourglass_flowing_sand: *Analytics pipeline timed out*
      Team: `{{ .team.name }}`
      Run: `{{ .run.name }}`
      Elapsed: {{ .run.status.durationSeconds }}s
      <{{ .run.dashboardUrl }}|View in dashboard>
      """;

  static final String BUDGET_EXCEEDED =
      """
      :moneybag: *Daily token budget exhausted*
      Agent: `{{ .agent.name }}`
      Budget: {{ .agent.spec.limits.maxDailyTokens | int | printf "%d" }} tokens
      Used today: {{ .agent.status.dailyTokensUsed | int | printf "%d" }} tokens
      Resets: in ~{{ .agent.status.budgetResetsInMinutes }} minutes
      The operator will scale this agent to 0 replicas until the window resets.
      """;

  static final String TEAM_SUCCEEDED =
      """
      :white_check_mark: *Analytics run completed*
      Team: `{{ .team.name }}`
      Question: {{ .run.spec.input.question }}
      Duration: {{ .run.status.durationSeconds }}s
      Tokens used: {{ .run.status.totalTokenUsage.totalTokens }}
      <{{ .run.dashboardUrl }}|View results>
      """;

  // analytics-team.yaml: pipeline prompts and output

  static final String ANALYST_PROMPT =
      """
      Answer the following business question using the {{ .input.dataset }} dataset.

      Question: {{ .input.question }}
      Depth: {{ .input.depth }}

      Start by fetching the dataset schema, then write and execute the queries needed
      to answer the question. Explain your methodology and findings.
      """;

  static final String REPORTER_PROMPT =
      """
      Format these analytical findings into an executive summary.
      Original question: {{ .input.question }}
      Dataset: {{ .input.dataset }}

      Findings:
      {{ .steps.analyst.output }}
      """;

  static final String ANALYTICS_OUTPUT = "{{ .steps.reporter.output }}";

  // blog-writer.yaml

  static final String RESEARCHER_PROMPT =
      """
      List 3 key points about "{{ .input.topic }}" for {{ .input.audience }}.
      Return JSON only: {"keyPoints": ["...", "...", "..."], "tone": "..."}
      """;

  static final String WRITER_PROMPT =
      """
      Write a short blog post (3 paragraphs) for {{ .input.audience }} about "{{ .input.topic }}".
      Key points to cover: {{ .steps.researcher.output }}
      """;

  static final String EDITOR_PROMPT =
      """
      Fix any grammar or flow issues in this post. Return the improved text only.

      {{ .steps.writer.output }}
      """;

  static final String BLOG_OUTPUT = "{{ .steps.editor.output }}";

  // customer-support.yaml: ArkEvent target input

  static final String TRIGGER_MESSAGE = "{{ .trigger.body.message }}";

  static final List<String> ALL =
      List.of(
          TEAM_FAILED,
          TEAM_TIMED_OUT,
          BUDGET_EXCEEDED,
          TEAM_SUCCEEDED,
          ANALYST_PROMPT,
          REPORTER_PROMPT,
          ANALYTICS_OUTPUT,
          RESEARCHER_PROMPT,
          WRITER_PROMPT,
          EDITOR_PROMPT,
          BLOG_OUTPUT,
          TRIGGER_MESSAGE);

  static final String QUESTION = "What drove the 15% drop in activation rate in week 10?";
  static final String DASHBOARD = "http://localhost:8082/runs/ark-teams/analytics-team-x7k2p";

  static Map<String, Object> runContext(Object durationSeconds) {
    return map(
        "team", map("name", "analytics-team"),
        "run",
            map(
                "name",
                "analytics-team-x7k2p",
                "dashboardUrl",
                DASHBOARD,
                "spec",
                map("input", map("question", QUESTION, "dataset", "user_events_2026_q1")),
                "status",
                map(
                    "message",
                    "step \"analyst\" failed: output INVALID after 2 retries",
                    "failedStep",
                    "analyst",
                    "durationSeconds",
                    durationSeconds,
                    "totalTokenUsage",
                    map("totalTokens", 48213L))));
  }

  @Test
  void teamFailed() {
    assertThat(render(TEAM_FAILED, runContext(600)))
        .isEqualTo(
            """
            :x: *Analytics pipeline failed*
            Team: `analytics-team`
            Run: `analytics-team-x7k2p`
            Reason: step "analyst" failed: output INVALID after 2 retries
            Failed step: analyst
            <http://localhost:8082/runs/ark-teams/analytics-team-x7k2p|View in dashboard>
            """);
  }

  @Test
  void teamFailedWithoutFailedStepLeavesItEmpty() {
    Map<String, Object> data = runContext(600);
    ((Map<?, ?>) ((Map<?, ?>) data.get("run")).get("status")).remove("failedStep");
    assertThat(render(TEAM_FAILED, data)).contains("Failed step: \n");
  }

  @ParameterizedTest
  @ValueSource(strings = {"integer", "long", "double", "bigdecimal"})
  void teamTimedOutPrintsWholeSecondsWhateverTheNumberType(String type) {
    Object seconds =
        switch (type) {
          case "integer" -> 600;
          case "long" -> 600L;
          case "double" -> 600.0;
          default -> new BigDecimal("600.0");
        };
    assertThat(render(TEAM_TIMED_OUT, runContext(seconds)))
        .isEqualTo(
            """
            :hourglass_flowing_sand: *Analytics pipeline timed out*
            Team: `analytics-team`
            Run: `analytics-team-x7k2p`
            Elapsed: 600s
            <http://localhost:8082/runs/ark-teams/analytics-team-x7k2p|View in dashboard>
            """);
  }

  static Map<String, Object> budgetContext(Object max, Object used, Object resetsIn) {
    return map(
        "agent",
        map(
            "name", "analytics-team-analyst",
            "spec", map("limits", map("maxDailyTokens", max)),
            "status", map("dailyTokensUsed", used, "budgetResetsInMinutes", resetsIn)));
  }

  static final String BUDGET_TEXT =
      """
      :moneybag: *Daily token budget exhausted*
      Agent: `analytics-team-analyst`
      Budget: 1000000 tokens
      Used today: 1000342 tokens
      Resets: in ~42 minutes
      The operator will scale this agent to 0 replicas until the window resets.
      """;

  @Test
  void budgetExceededWithLongs() {
    assertThat(render(BUDGET_EXCEEDED, budgetContext(1_000_000L, 1_000_342L, 42L)))
        .isEqualTo(BUDGET_TEXT);
  }

  @Test
  void budgetExceededWithIntegers() {
    assertThat(render(BUDGET_EXCEEDED, budgetContext(1_000_000, 1_000_342, 42)))
        .isEqualTo(BUDGET_TEXT);
  }

  @Test
  void budgetExceededWithDoublesAsDecodedFromJson() {
    assertThat(render(BUDGET_EXCEEDED, budgetContext(1_000_000.0, 1_000_342.0, 42.0)))
        .isEqualTo(BUDGET_TEXT);
  }

  @Test
  void budgetExceededWithNumericStrings() {
    assertThat(render(BUDGET_EXCEEDED, budgetContext("1000000", "1000342", "42")))
        .isEqualTo(BUDGET_TEXT);
  }

  @Test
  void budgetExceededTruncatesFractionalTokenCounts() {
    assertThat(render(BUDGET_EXCEEDED, budgetContext(1_000_000.9, 1_000_342.5, 42)))
        .isEqualTo(BUDGET_TEXT);
  }

  @Test
  void teamSucceeded() {
    assertThat(render(TEAM_SUCCEEDED, runContext(312)))
        .isEqualTo(
            """
            :white_check_mark: *Analytics run completed*
            Team: `analytics-team`
            Question: What drove the 15% drop in activation rate in week 10?
            Duration: 312s
            Tokens used: 48213
            <http://localhost:8082/runs/ark-teams/analytics-team-x7k2p|View results>
            """);
  }

  static Map<String, Object> analyticsRun() {
    return map(
        "input", map("dataset", "user_events_2026_q1", "question", QUESTION, "depth", "standard"),
        "steps",
            map(
                "analyst",
                    map("output", "Activation fell from 41% to 35%.\nCause: new signup form."),
                "reporter", map("output", "## Summary\nThe new signup form drove the drop.")));
  }

  @Test
  void analystPrompt() {
    assertThat(render(ANALYST_PROMPT, analyticsRun()))
        .isEqualTo(
            """
            Answer the following business question using the user_events_2026_q1 dataset.

            Question: What drove the 15% drop in activation rate in week 10?
            Depth: standard

            Start by fetching the dataset schema, then write and execute the queries needed
            to answer the question. Explain your methodology and findings.
            """);
  }

  @Test
  void reporterPrompt() {
    assertThat(render(REPORTER_PROMPT, analyticsRun()))
        .isEqualTo(
            """
            Format these analytical findings into an executive summary.
            Original question: What drove the 15% drop in activation rate in week 10?
            Dataset: user_events_2026_q1

            Findings:
            Activation fell from 41% to 35%.
            Cause: new signup form.
            """);
  }

  @Test
  void analyticsOutput() {
    assertThat(render(ANALYTICS_OUTPUT, analyticsRun()))
        .isEqualTo("## Summary\nThe new signup form drove the drop.");
  }

  static Map<String, Object> blogRun() {
    return blogRun("platform engineers");
  }

  static Map<String, Object> blogRun(String audience) {
    String research =
        "{\"keyPoints\": [\"Operators\", \"Autoscaling\", \"Cost control\"], \"tone\": \"practical\"}";
    return map(
        "input", map("topic", "The rise of AI agents in Kubernetes", "audience", audience),
        "steps",
            map(
                "researcher",
                    map(
                        "output",
                        research,
                        "data",
                        map(
                            "keyPoints",
                            TestData.list("Operators", "Autoscaling", "Cost control"),
                            "tone",
                            "practical")),
                "writer", map("output", "AI agents are arriving in Kubernetes clusters."),
                "editor", map("output", "AI agents have arrived in Kubernetes clusters.")));
  }

  @Test
  void researcherPrompt() {
    assertThat(render(RESEARCHER_PROMPT, blogRun()))
        .isEqualTo(
            """
            List 3 key points about "The rise of AI agents in Kubernetes" for platform engineers.
            Return JSON only: {"keyPoints": ["...", "...", "..."], "tone": "..."}
            """);
  }

  @Test
  void writerPrompt() {
    assertThat(render(WRITER_PROMPT, blogRun()))
        .isEqualTo(
            """
            Write a short blog post (3 paragraphs) for platform engineers about "The rise of AI \
            agents in Kubernetes".
            Key points to cover: {"keyPoints": ["Operators", "Autoscaling", "Cost control"], \
            "tone": "practical"}
            """);
  }

  @Test
  void editorPrompt() {
    assertThat(render(EDITOR_PROMPT, blogRun()))
        .isEqualTo(
            """
            Fix any grammar or flow issues in this post. Return the improved text only.

            AI agents are arriving in Kubernetes clusters.
            """);
  }

  @Test
  void blogOutput() {
    assertThat(render(BLOG_OUTPUT, blogRun()))
        .isEqualTo("AI agents have arrived in Kubernetes clusters.");
  }

  @Test
  void researcherPromptWithDefaultAudience() {
    assertThat(render(RESEARCHER_PROMPT, blogRun("software engineers")))
        .startsWith(
            "List 3 key points about \"The rise of AI agents in Kubernetes\" for software"
                + " engineers.\n");
  }

  @Test
  void triggerMessage() {
    Map<String, Object> data =
        map(
            "trigger",
            map(
                "body",
                map("message", "My invoice shows a double charge for last month."),
                "headers",
                map("content-type", "application/json")));
    assertThat(render(TRIGGER_MESSAGE, data))
        .isEqualTo("My invoice shows a double charge for last month.");
  }

  @Test
  void triggerMessageMissingFromBodyIsEmpty() {
    assertThat(render(TRIGGER_MESSAGE, map("trigger", map("body", map())))).isEmpty();
    assertThat(render(TRIGGER_MESSAGE, map())).isEmpty();
  }

  @Test
  void allUpstreamStringsAreTemplates() {
    for (String s : ALL) {
      assertThat(Template.isTemplate(s)).isTrue();
      assertThat(Template.parse(s).source()).isEqualTo(s);
    }
  }
}
