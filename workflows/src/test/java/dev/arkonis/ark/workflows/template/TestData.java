package dev.arkonis.ark.workflows.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builders and assertions shared by the template tests. */
final class TestData {
  private TestData() {}

  /** A mutable map from alternating keys and values; values may be null. */
  static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  /** A list that may hold nulls. */
  static List<Object> list(Object... items) {
    return Arrays.asList(items);
  }

  static String render(String template, Map<String, ?> data) {
    return Template.parse(template).render(data);
  }

  /** Asserts that parsing (and then rendering) fails with the message at the position. */
  static void assertFails(String template, Map<String, ?> data, int line, int column, String what) {
    TemplateException e =
        catchThrowableOfType(TemplateException.class, () -> Template.parse(template).render(data));
    assertThat(e).as("error for %s", template).isNotNull();
    assertThat(e.getMessage()).isEqualTo("line " + line + ", column " + column + ": " + what);
    assertThat(e.line()).isEqualTo(line);
    assertThat(e.column()).isEqualTo(column);
  }
}
