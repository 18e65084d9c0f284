package dev.arkonis.ark.workflows.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TemplateReferencesTest {

  private static List<List<String>> refs(String template) {
    return List.copyOf(Template.parse(template).references());
  }

  @Test
  void upstreamNotifyTemplates() {
    assertThat(refs(UpstreamTemplatesTest.TEAM_FAILED))
        .containsExactly(
            List.of("team", "name"),
            List.of("run", "name"),
            List.of("run", "status", "message"),
            List.of("run", "status", "failedStep"),
            List.of("run", "dashboardUrl"));
    assertThat(refs(UpstreamTemplatesTest.TEAM_TIMED_OUT))
        .containsExactly(
            List.of("team", "name"),
            List.of("run", "name"),
            List.of("run", "status", "durationSeconds"),
            List.of("run", "dashboardUrl"));
    assertThat(refs(UpstreamTemplatesTest.BUDGET_EXCEEDED))
        .containsExactly(
            List.of("agent", "name"),
            List.of("agent", "spec", "limits", "maxDailyTokens"),
            List.of("agent", "status", "dailyTokensUsed"),
            List.of("agent", "status", "budgetResetsInMinutes"));
    assertThat(refs(UpstreamTemplatesTest.TEAM_SUCCEEDED))
        .containsExactly(
            List.of("team", "name"),
            List.of("run", "spec", "input", "question"),
            List.of("run", "status", "durationSeconds"),
            List.of("run", "status", "totalTokenUsage", "totalTokens"),
            List.of("run", "dashboardUrl"));
  }

  @Test
  void upstreamPipelinePrompts() {
    assertThat(refs(UpstreamTemplatesTest.ANALYST_PROMPT))
        .containsExactly(
            List.of("input", "dataset"), List.of("input", "question"), List.of("input", "depth"));
    assertThat(refs(UpstreamTemplatesTest.REPORTER_PROMPT))
        .containsExactly(
            List.of("input", "question"),
            List.of("input", "dataset"),
            List.of("steps", "analyst", "output"));
    assertThat(refs(UpstreamTemplatesTest.ANALYTICS_OUTPUT))
        .containsExactly(List.of("steps", "reporter", "output"));
    assertThat(refs(UpstreamTemplatesTest.RESEARCHER_PROMPT))
        .containsExactly(List.of("input", "topic"), List.of("input", "audience"));
    assertThat(refs(UpstreamTemplatesTest.WRITER_PROMPT))
        .containsExactly(
            List.of("input", "audience"),
            List.of("input", "topic"),
            List.of("steps", "researcher", "output"));
    assertThat(refs(UpstreamTemplatesTest.EDITOR_PROMPT))
        .containsExactly(List.of("steps", "writer", "output"));
    assertThat(refs(UpstreamTemplatesTest.BLOG_OUTPUT))
        .containsExactly(List.of("steps", "editor", "output"));
    assertThat(refs(UpstreamTemplatesTest.TRIGGER_MESSAGE))
        .containsExactly(List.of("trigger", "body", "message"));
  }

  @Test
  void duplicatesAreReportedOnceInOrderOfFirstUse() {
    assertThat(refs("{{ .a }}{{ .b }}{{ .a }}")).containsExactly(List.of("a"), List.of("b"));
    assertThat(refs("no actions")).isEmpty();
  }

  @Test
  void structuredStepDataAndPipelines() {
    assertThat(refs("{{ .steps.x.data.field | default \"n/a\" }} {{ toJson .steps.y.data }}"))
        .containsExactly(List.of("steps", "x", "data", "field"), List.of("steps", "y", "data"));
    assertThat(refs("{{ printf \"%s %s\" (upper .a.b) (.c.d | lower) }}"))
        .containsExactly(List.of("a", "b"), List.of("c", "d"));
  }

  @Test
  void rangeAndWithBodiesUseTheReboundDot() {
    assertThat(refs("{{ range .steps.r.data.points }}{{ .title }} {{ $.input.topic }}{{ end }}"))
        .containsExactly(List.of("steps", "r", "data", "points"), List.of("input", "topic"));
    assertThat(refs("{{ with .steps.x.data }}{{ .field }}{{ .other.deep }}{{ end }}"))
        .containsExactly(List.of("steps", "x", "data"));
    assertThat(refs("{{ range $i, $p := .list }}{{ $p.name }}{{ index $.names $i }}{{ end }}"))
        .containsExactly(List.of("list"), List.of("names"));
  }

  @Test
  void elseBranchesOfRangeAndWithKeepTheRootDot() {
    assertThat(refs("{{ range .items }}{{ .x }}{{ else }}{{ .fallback }}{{ end }}"))
        .containsExactly(List.of("items"), List.of("fallback"));
    assertThat(refs("{{ with .a }}{{ .x }}{{ else with .b }}{{ .y }}{{ else }}{{ .c }}{{ end }}"))
        .containsExactly(List.of("a"), List.of("b"), List.of("c"));
  }

  @Test
  void ifBodiesKeepTheRootDot() {
    assertThat(refs("{{ if .a }}{{ .b }}{{ else if .c }}{{ .d }}{{ else }}{{ .e }}{{ end }}"))
        .containsExactly(List.of("a"), List.of("b"), List.of("c"), List.of("d"), List.of("e"));
  }

  @Test
  void nestedScopes() {
    assertThat(
            refs(
                "{{ range .outer }}{{ if .flag }}{{ with $.root }}{{ .x }}{{ end }}{{ end }}"
                    + "{{ end }}"))
        .containsExactly(List.of("outer"), List.of("root"));
  }

  @Test
  void variablesRecordTheirDeclarationNotTheirUses() {
    assertThat(refs("{{ $s := .steps.a }}{{ $s.output }}")).containsExactly(List.of("steps", "a"));
  }

  @Test
  void indexWithLiteralKeysExtendsTheChain() {
    assertThat(refs("{{ index .steps \"my-step\" \"output\" }}"))
        .containsExactly(List.of("steps", "my-step", "output"));
    assertThat(refs("{{ (index .steps \"my-step\").output | upper }}"))
        .containsExactly(List.of("steps", "my-step", "output"));
    assertThat(refs("{{ index .list 0 }}{{ index .m .k }}"))
        .containsExactly(List.of("list"), List.of("m"), List.of("k"));
  }

  @Test
  void rootDotAndDollarAreTheEmptyChain() {
    assertThat(refs("{{ toJson . }}")).containsExactly(List.of());
    assertThat(refs("{{ range .xs }}{{ toJson $ }}{{ end }}"))
        .containsExactly(List.of("xs"), List.of());
  }

  @Test
  void referencesAreUnmodifiable() {
    Template t = Template.parse("{{ .a.b }}");
    assertThatThrownBy(() -> t.references().clear())
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> t.references().iterator().next().add("c"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
