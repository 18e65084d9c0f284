package dev.arkonis.ark.crd.manifest;

/**
 * One thing wrong with a user's manifest: where it is (file and line when known), which object,
 * which field, and what to do about it.
 *
 * @param file the file the object came from, or empty when it came from the API server
 * @param line 1-based line of the field in the file, 0 when unknown
 * @param object {@code Kind/name} of the offending object
 * @param field dotted field path such as {@code spec.pipeline[1].dependsOn[0]}, empty for the whole
 *     object
 * @param message what is wrong and what to do
 */
public record Problem(String file, int line, String object, String field, String message) {

  /** Formats as {@code file:line: Kind/name: field: message}, leaving out unknown parts. */
  public String format() {
    StringBuilder out = new StringBuilder();
    if (!file.isEmpty()) {
      out.append(file);
      if (line > 0) {
        out.append(':').append(line);
      }
      out.append(": ");
    }
    if (!object.isEmpty()) {
      out.append(object).append(": ");
    }
    if (!field.isEmpty()) {
      out.append(field).append(": ");
    }
    return Printable.escape(out.append(message).toString());
  }

  /** Most problems printed for one file; the rest are counted. */
  public static final int MAX_REPORTED = 50;

  /** Each problem formatted, at most {@link #MAX_REPORTED}, then a line counting the rest. */
  public static java.util.List<String> formatAll(java.util.List<Problem> problems) {
    java.util.List<String> lines = new java.util.ArrayList<>();
    problems.stream().limit(MAX_REPORTED).forEach(p -> lines.add(p.format()));
    if (problems.size() > MAX_REPORTED) {
      lines.add(
          "... and "
              + (problems.size() - MAX_REPORTED)
              + " more problems; fix these first, then run 'ark validate' again");
    }
    return lines;
  }

  /** The same problem without the file location, as written into a status condition. */
  public String formatForCondition() {
    return Printable.escape(field.isEmpty() ? message : field + ": " + message);
  }

  @Override
  public String toString() {
    return format();
  }
}
