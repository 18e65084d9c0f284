package dev.arkonis.ark.activities.spec;

import dev.arkonis.ark.crd.manifest.Suggestions;
import java.util.Collection;

/** Wording for "unknown name" messages: the known names and a did-you-mean hint. */
final class Names {
  private Names() {}

  static String unknown(String what, String name, Collection<String> known) {
    StringBuilder out = new StringBuilder("unknown ").append(what).append(" \"").append(name);
    out.append('"');
    String close = Suggestions.closest(name, known);
    if (close != null) {
      out.append("; did you mean \"").append(close).append("\"?");
    } else if (known.isEmpty()) {
      out.append("; none are defined");
    } else {
      out.append("; known: ").append(String.join(", ", known));
    }
    return out.toString();
  }
}
