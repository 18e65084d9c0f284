package dev.arkonis.ark.workflows.template;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Evaluates the {@code if:} and {@code loop.condition} fields of ark manifests.
 *
 * <p>A condition containing <code>&#123;&#123;</code> is rendered as a {@link Template}; the result
 * is true unless, trimmed and ignoring case, it is {@code ""}, {@code "false"}, {@code "0"}, {@code
 * "no"} or {@code "<no value>"}. Any other condition is one pipeline expression without delimiters,
 * such as {@code eq .steps.review.data.approved true} or {@code gt (len .steps.x.output) 100}, and
 * is true if its value is true in Go's sense (not false, 0, nil or an empty string, list or map).
 *
 * <p>Pure and deterministic, so safe in Temporal workflow code.
 */
public final class Conditions {
  private static final Set<String> FALSE_TEXT = Set.of("", "false", "0", "no", "<no value>");

  private Conditions() {}

  /**
   * Evaluates a condition against the data.
   *
   * @throws TemplateException if the condition does not parse or fails to execute; positions are
   *     within the condition string
   */
  public static boolean evaluate(String condition, Map<String, ?> data) {
    Objects.requireNonNull(condition, "condition");
    if (Template.isTemplate(condition)) {
      String text = Template.parse(condition).render(data);
      return !FALSE_TEXT.contains(Functions.trimSpace(text).toLowerCase(Locale.ROOT));
    }
    return Values.truth(Evaluator.evaluate(Parser.expression(condition), data));
  }

  /**
   * The field chains a condition reads from the root data, as {@link Template#references()}.
   *
   * @throws TemplateException if the condition does not parse
   */
  public static Set<List<String>> references(String condition) {
    Objects.requireNonNull(condition, "condition");
    if (Template.isTemplate(condition)) {
      return Template.parse(condition).references();
    }
    return References.of(Parser.expression(condition));
  }
}
