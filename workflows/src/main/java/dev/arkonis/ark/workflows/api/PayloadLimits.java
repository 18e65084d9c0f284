package dev.arkonis.ark.workflows.api;

/**
 * How large the texts in ark's Temporal payloads may be. Temporal refuses a payload over 2 MiB (and
 * warns from 512 KiB); a workflow history over 50 MB is terminated. Texts are measured in
 * characters (at most 3 UTF-8 bytes each in the BMP), so {@link #MAX_PAYLOAD_CHARS} keeps every
 * payload under 1.5 MiB even for text that is all CJK, and under 600 KiB for the usual text.
 */
public final class PayloadLimits {
  /**
   * One text in a payload: a model's answer (the {@code chat} activity cuts it), one message of a
   * conversation sent to a model, a rendered prompt, a step or run output in a run's result.
   */
  public static final int MAX_TEXT_CHARS = 256 * 1024;

  /**
   * All texts of one payload together: a chat request's conversation, a run's result or status
   * write, the input of a workflow continuing as new.
   */
  public static final int MAX_PAYLOAD_CHARS = 512 * 1024;

  /**
   * A step's output (and its JSON data) in a status write: the ArkRun keeps only its first 4096
   * characters, the full output stays in the workflow's history and result.
   */
  public static final int STATUS_OUTPUT_CHARS = 16 * 1024;

  /** What a cut text ends with; the number is the length of the whole text. */
  public static final String TRUNCATED_MARK = "\n… (truncated; ";

  private PayloadLimits() {}

  /**
   * {@code text} cut to its first {@code max} characters plus a mark saying how long the whole text
   * was; unchanged when it is not longer. A text cut before keeps the length its mark names.
   */
  public static String cap(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    long total = text.length();
    int mark = text.lastIndexOf(TRUNCATED_MARK);
    if (mark >= 0 && text.endsWith(" characters in total)")) {
      String number = text.substring(mark + TRUNCATED_MARK.length(), text.length() - 21).trim();
      try {
        total = Long.parseLong(number);
        text = text.substring(0, mark);
      } catch (NumberFormatException e) {
        // not our mark: count the text as it is
      }
    }
    int end = Math.min(max, text.length());
    if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
      end--; // never split a surrogate pair
    }
    return text.substring(0, end) + TRUNCATED_MARK + total + " characters in total)";
  }

  /** True when {@code text} was cut by {@link #cap}. */
  public static boolean truncated(String text) {
    return text != null && text.contains(TRUNCATED_MARK);
  }
}
