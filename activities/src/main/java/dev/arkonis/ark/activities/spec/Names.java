package dev.arkonis.ark.activities.spec;

import dev.arkonis.ark.crd.manifest.Suggestions;
import java.util.Collection;

/** Wording for "unknown name" messages: the known names and a did-you-mean hint. */
final class Names {
  /** Longest Kubernetes label value, and so the longest team, agent and managed agent name. */
  static final int MAX_LABEL = 63;

  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  private Names() {}

  static boolean isDnsLabel(String name) {
    return DNS_LABEL.matcher(name).matches();
  }

  static String unknown(String what, String name, Collection<String> known) {
    return unknown(what, name, "", known);
  }

  /** As above, with {@code where} (e.g. {@code in dependsOn of step "x"}) after the name. */
  static String unknown(String what, String name, String where, Collection<String> known) {
    StringBuilder out = new StringBuilder("unknown ").append(what).append(" \"").append(name);
    out.append('"').append(where);
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
