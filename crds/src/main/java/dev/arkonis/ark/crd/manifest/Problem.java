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
    return out.append(message).toString();
  }

  /** The same problem without the file location, as written into a status condition. */
  public String formatForCondition() {
    return field.isEmpty() ? message : field + ": " + message;
  }

  @Override
  public String toString() {
    return format();
  }
}
