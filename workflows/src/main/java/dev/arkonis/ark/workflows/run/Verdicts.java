package dev.arkonis.ark.workflows.run;

import java.util.Locale;
import java.util.Set;

/**
 * A validator model's one-word verdict (a step's {@code validate.semantic}, an agent's semantic
 * liveness probe): the answer passes when its first word is one of the accepted words, exactly,
 * ignoring case and the punctuation or Markdown around it ({@code "VALID."}, {@code
 * "**Healthy**"}). Anything else fails — {@code "INVALID"}, {@code "NOT VALID"}, {@code "The output
 * is VALID"}, {@code "VALIDATED"} — so a model that does not answer as asked is never taken for a
 * pass. Pure: used in workflow code.
 */
public final class Verdicts {
  /** What a step's semantic validator is asked to answer. */
  public static final Set<String> STEP = Set.of("VALID");

  /** What a semantic liveness probe accepts: upstream's {@code HEALTHY} and our {@code VALID}. */
  public static final Set<String> PROBE = Set.of("HEALTHY", "VALID");

  private Verdicts() {}

  /** The first word of {@code answer}, upper-cased, without surrounding non-letters; "" if none. */
  public static String firstWord(String answer) {
    if (answer == null) {
      return "";
    }
    String trimmed = answer.strip();
    int start = 0;
    while (start < trimmed.length() && !Character.isLetter(trimmed.charAt(start))) {
      start++;
    }
    int end = start;
    while (end < trimmed.length() && Character.isLetter(trimmed.charAt(end))) {
      end++;
    }
    return trimmed.substring(start, end).toUpperCase(Locale.ROOT);
  }

  /**
   * What a semantic liveness probe accepts: {@code livenessProbe.expectedAnswer} (its first word,
   * compared as {@link #firstWord} does), or {@link #PROBE} when it is unset or blank.
   */
  public static Set<String> probe(String expectedAnswer) {
    String word = firstWord(expectedAnswer);
    return word.isEmpty() ? PROBE : Set.of(word);
  }

  /** Whether the answer's first word is one of {@code accepted} (upper-case words). */
  public static boolean passes(String answer, Set<String> accepted) {
    return accepted.contains(firstWord(answer));
  }
}
