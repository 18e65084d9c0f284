package dev.arkonis.ark.workflows.template;

import static dev.arkonis.ark.workflows.template.TestData.list;
import static dev.arkonis.ark.workflows.template.TestData.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConditionsTest {

  static Map<String, Object> review(Object approved) {
    return map("steps", map("review", map("data", map("approved", approved))));
  }

  @Test
  void approvalFlagFromStructuredOutput() {
    String condition = "eq .steps.review.data.approved true";
    assertThat(Conditions.evaluate(condition, review(true))).isTrue();
    assertThat(Conditions.evaluate(condition, review(false))).isFalse();
    assertThat(Conditions.evaluate(condition, map("steps", map()))).isFalse();
    assertThat(Conditions.evaluate("not .steps.review.data.approved", review(false))).isTrue();
  }

  @Test
  void outputLength() {
    String condition = "gt (len .steps.x.output) 100";
    assertThat(
            Conditions.evaluate(condition, map("steps", map("x", map("output", "y".repeat(101))))))
        .isTrue();
    assertThat(Conditions.evaluate(condition, map("steps", map("x", map("output", "short")))))
        .isFalse();
    assertThat(Conditions.evaluate(condition, map())).isFalse();
  }

  @Test
  void loopConditions() {
    Map<String, Object> data =
        map("loop", map("iteration", 2L), "steps", map("critic", map("data", map("score", 0.75))));
    assertThat(Conditions.evaluate("lt .loop.iteration 3", data)).isTrue();
    assertThat(Conditions.evaluate("lt .loop.iteration 2", data)).isFalse();
    assertThat(Conditions.evaluate("ge .steps.critic.data.score 0.8", data)).isFalse();
    assertThat(
            Conditions.evaluate(
                "and (lt .loop.iteration 5) (lt .steps.critic.data.score 0.8)", data))
        .isTrue();
    assertThat(Conditions.evaluate("or (gt .loop.iteration 5) .steps.critic.data.done", data))
        .isFalse();
    assertThat(Conditions.evaluate("eq .loop.iteration 2.0", data)).isTrue();
    assertThat(Conditions.evaluate("  ne .steps.critic.data.verdict \"ACCEPT\"  ", data)).isTrue();
    assertThat(Conditions.evaluate(".steps.critic.data.score | printf \"%.1f\" | eq \"0.8\"", data))
        .isTrue();
  }

  static Stream<Arguments> truthiness() {
    return Stream.of(
        Arguments.of(null, false),
        Arguments.of(false, false),
        Arguments.of(true, true),
        Arguments.of(0, false),
        Arguments.of(0L, false),
        Arguments.of(0.0, false),
        Arguments.of(-0.0, false),
        Arguments.of(1, true),
        Arguments.of(-1L, true),
        Arguments.of(0.5, true),
        Arguments.of(new java.math.BigDecimal("0.00"), false),
        Arguments.of("", false),
        Arguments.of("false", true),
        Arguments.of("0", true),
        Arguments.of(" ", true),
        Arguments.of(list(), false),
        Arguments.of(list((Object) null), true),
        Arguments.of(map(), false),
        Arguments.of(map("k", null), true));
  }

  @ParameterizedTest
  @MethodSource("truthiness")
  void goTruthinessOfExpressions(Object value, boolean expected) {
    Map<String, Object> data = map("v", value);
    assertThat(Conditions.evaluate(".v", data)).isEqualTo(expected);
    assertThat(TestData.render("{{ if .v }}T{{ else }}F{{ end }}", data))
        .isEqualTo(expected ? "T" : "F");
    assertThat(TestData.render("{{ with .v }}T{{ else }}F{{ end }}", data))
        .isEqualTo(expected ? "T" : "F");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"", "false", "FALSE", " False\n", "0", "no", "No", "<no value>", "  <NO VALUE> "})
  void renderedConditionsAreFalseForFalseLookingText(String text) {
    assertThat(Conditions.evaluate("{{ .v }}", map("v", text))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"true", "yes", "1", "ok", "00", "nope", "false!"})
  void renderedConditionsAreTrueOtherwise(String text) {
    assertThat(Conditions.evaluate("{{ .v }}", map("v", text))).isTrue();
  }

  @Test
  void renderedConditions() {
    assertThat(Conditions.evaluate("{{ .steps.review.data.approved }}", review(true))).isTrue();
    assertThat(Conditions.evaluate("{{ .steps.review.data.approved }}", review(false))).isFalse();
    assertThat(Conditions.evaluate("{{ .missing }}", map())).isFalse();
    assertThat(Conditions.evaluate("{{ if gt .n 3 }}yes{{ else }}no{{ end }}", map("n", 4)))
        .isTrue();
    assertThat(Conditions.evaluate("{{ if gt .n 3 }}yes{{ else }}no{{ end }}", map("n", 2)))
        .isFalse();
    assertThat(Conditions.evaluate("{{ .n }}", map("n", 0.0))).isFalse();
  }

  @Test
  void errorsCarryPositionsWithinTheCondition() {
    assertThatThrownBy(() -> Conditions.evaluate("eq .a", map()))
        .isInstanceOf(TemplateException.class)
        .hasMessage("line 1, column 1: wrong number of args for eq: want at least 2 got 1");
    assertThatThrownBy(() -> Conditions.evaluate("eq .a \"x\" )", map()))
        .hasMessage("line 1, column 11: unexpected right paren");
    assertThatThrownBy(() -> Conditions.evaluate("isTrue .a", map()))
        .hasMessage("line 1, column 1: function \"isTrue\" not defined");
    assertThatThrownBy(() -> Conditions.evaluate("", map()))
        .hasMessage("line 1, column 1: missing value for condition");
    assertThatThrownBy(() -> Conditions.evaluate("eq .a }}", map()))
        .hasMessage("line 1, column 7: unrecognized character in action: U+007D '}'");
    assertThatThrownBy(() -> Conditions.evaluate("lt .a \"b\"", map("a", 1)))
        .hasMessage("line 1, column 1: error calling lt: incompatible types for comparison");
    assertThatThrownBy(() -> Conditions.evaluate("{{ if .a }}", map()))
        .hasMessage("line 1, column 1: missing {{end}} for {{if}}");
  }

  @Test
  void references() {
    assertThat(Conditions.references("eq .steps.review.data.approved true"))
        .containsExactly(List.of("steps", "review", "data", "approved"));
    assertThat(Conditions.references("gt (len .steps.x.output) 100"))
        .containsExactly(List.of("steps", "x", "output"));
    assertThat(Conditions.references("{{ if .a }}{{ $.b.c }}{{ end }}"))
        .isEqualTo(Set.of(List.of("a"), List.of("b", "c")));
    assertThat(Conditions.references("and (lt .loop.iteration 3) (not .steps.critic.data.done)"))
        .containsExactly(List.of("loop", "iteration"), List.of("steps", "critic", "data", "done"));
  }
}
