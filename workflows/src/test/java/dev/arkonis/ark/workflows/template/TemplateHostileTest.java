package dev.arkonis.ark.workflows.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Templates written to exhaust memory, time or the stack end in a TemplateException at once. */
@Timeout(20)
class TemplateHostileTest {
  static final String NEWLINES = "\n".repeat(500_000);

  private static void rejects(String source, Map<String, ?> data, String message) {
    long start = System.nanoTime();
    assertThatThrownBy(() -> Template.parse(source).render(data))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining(message);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void indentOfAHugeMultilineValueStopsAtTheOutputLimit() {
    rejects("{{ .body | indent 10000 }}", Map.of("body", NEWLINES), "exceeds");
  }

  @Test
  void replaceBlowingUpAValueStopsAtTheOutputLimit() {
    rejects(
        "{{ replace \"\\n\" (printf \"%9999s\" \"\") .body }}",
        Map.of("body", NEWLINES), "exceeds");
  }

  @Test
  void doublingAVariableStopsAtTheOutputLimit() {
    StringBuilder t = new StringBuilder("{{ $x := printf \"%9999s\" \"\" }}");
    for (int i = 0; i < 40; i++) {
      t.append("{{ $x = printf \"%s%s\" $x $x }}");
    }
    t.append("{{ $x }}");
    rejects(t.toString(), Map.of(), "exceeds");
  }

  @Test
  void deeplyNestedParenthesesAreAParseError() {
    String source = "{{ " + "(".repeat(100_000) + "1" + ")".repeat(100_000) + " }}";
    assertThatThrownBy(() -> Template.parse(source))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("nested");
  }

  @Test
  void deeplyNestedIfBlocksAreAParseError() {
    String source = "{{ if true }}".repeat(100_000) + "x" + "{{ end }}".repeat(100_000);
    assertThatThrownBy(() -> Template.parse(source))
        .isInstanceOf(TemplateException.class)
        .hasMessageContaining("nested");
  }

  @Test
  void nestedRangesStopAtTheIterationLimit() {
    java.util.List<Integer> thousand = java.util.stream.IntStream.range(0, 1000).boxed().toList();
    rejects(
        "{{ range .l }}{{ range $.l }}{{ range $.l }}{{ end }}{{ end }}{{ end }}",
        Map.of("l", thousand),
        "iterations");
  }
}
