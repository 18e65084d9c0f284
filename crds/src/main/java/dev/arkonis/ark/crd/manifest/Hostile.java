package dev.arkonis.ark.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * What {@link ManifestLoader} refuses beyond YAML syntax, because the API server would refuse it
 * later with a worse message, or store something the user did not mean: names Kubernetes does not
 * accept (with the offending character named), text that is not valid Unicode or holds NUL,
 * explicit YAML tags (ark manifests are plain data: {@code !include} or {@code !!binary} would be
 * read as strings), and objects larger than etcd stores.
 */
public final class Hostile {
  /** A problem found while converting: field path and message. */
  record Issue(String field, String message) {}

  /** Largest file read: a bigger one is refused before parsing. */
  static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

  /** Longest line parsed: SnakeYAML's time grows with the square of a single scalar's length. */
  static final int MAX_LINE_CHARS = 256 * 1024;

  /** Most keys of one mapping (ark objects have a few dozen fields; inputs and env a few more). */
  static final int MAX_KEYS = 1_000;

  /** Most YAML nodes one document may expand to (aliases repeat their anchor's nodes). */
  static final int MAX_NODES = 200_000;

  /** A document refused while converting it (its location). */
  static final class Refused extends RuntimeException {
    final int line;
    final String field;

    Refused(int line, String field, String message) {
      super(message, null, false, false);
      this.line = line;
      this.field = field;
    }
  }

  /** State of one document's conversion: node count and the collections being converted. */
  static final class Walk {
    private int nodes;
    private final Set<Node> open =
        java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    void enter(Node node, String path) {
      int line = node.getStartMark().getLine() + 1;
      if (++nodes > MAX_NODES) {
        throw new Refused(
            line,
            "",
            "the document expands to more than "
                + MAX_NODES
                + " YAML nodes (each alias repeats its anchor's whole content); write it out"
                + " without aliases or split it into several objects");
      }
      if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode) && !open.add(node)) {
        throw new Refused(
            line,
            path,
            "an alias refers to a mapping or list that contains it, which would never end;"
                + " remove the alias (*name) at this field");
      }
    }

    void leave(Node node) {
      if (!(node instanceof org.yaml.snakeyaml.nodes.ScalarNode)) {
        open.remove(node);
      }
    }
  }

  /** {@code Kind/name} read from a document's top-level scalars, or "" (no alias expanded). */
  static String objectOf(Node document) {
    String kind = "";
    String name = "";
    if (document instanceof org.yaml.snakeyaml.nodes.MappingNode top) {
      for (org.yaml.snakeyaml.nodes.NodeTuple t : top.getValue()) {
        String key =
            t.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k ? k.getValue() : "";
        if (key.equals("kind")
            && t.getValueNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode v) {
          kind = v.getValue();
        } else if (key.equals("metadata")
            && t.getValueNode() instanceof org.yaml.snakeyaml.nodes.MappingNode metadata) {
          for (org.yaml.snakeyaml.nodes.NodeTuple m : metadata.getValue()) {
            if (m.getKeyNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode k
                && k.getValue().equals("name")
                && m.getValueNode() instanceof org.yaml.snakeyaml.nodes.ScalarNode v) {
              name = v.getValue();
            }
          }
        }
      }
    }
    return kind.isEmpty() ? "" : kind + "/" + name;
  }

  static String fileTooLarge(long bytes) {
    return String.format(
        "the file is %.1f MiB; ark reads files up to %d MiB (and the Kubernetes API stores objects"
            + " up to 1.5 MiB): split it, and keep long text in ConfigMaps",
        bytes / 1048576.0, MAX_FILE_BYTES / 1048576);
  }

  /** {@code "<line>:<message>"} for the first line over {@link #MAX_LINE_CHARS}, or null. */
  static String longLine(String text) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == '\n') {
        if (i - start > MAX_LINE_CHARS) {
          return line
              + ":line "
              + line
              + " is "
              + (i - start)
              + " characters long, over the limit of "
              + MAX_LINE_CHARS
              + "; write long text as a block scalar (key: |) over several lines, or put it in a"
              + " ConfigMap and reference it";
        }
        line++;
        start = i + 1;
      }
    }
    return null;
  }

  /** etcd's default request limit: larger objects are refused by the API server. */
  static final int MAX_OBJECT_BYTES = 1_572_864;

  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  private static final Set<Tag> PLAIN =
      Set.of(
          Tag.STR,
          Tag.INT,
          Tag.FLOAT,
          Tag.BOOL,
          Tag.NULL,
          Tag.MAP,
          Tag.SEQ,
          Tag.MERGE,
          Tag.TIMESTAMP);

  private Hostile() {}

  /** Why {@code name} is not a Kubernetes object name (DNS-1123 subdomain), or null. */
  static String badName(String name) {
    if (name.length() <= 253 && SUBDOMAIN.matcher(name).matches()) {
      return null;
    }
    String why;
    int bad =
        name.codePoints()
            .filter(c -> !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'))
            .findFirst()
            .orElse(-1);
    if (bad >= 0) {
      why = "it contains " + Printable.describe(bad);
    } else if (name.length() > 253) {
      why = "it is " + name.length() + " characters long (at most 253)";
    } else {
      why = "it must start and end with a letter or digit";
    }
    return "name \""
        + name
        + "\" is not a valid Kubernetes name: "
        + why
        + "; use lowercase letters a-z, digits, '-' and '.', starting and ending with a letter or"
        + " digit";
  }

  /** A string that is not valid Unicode (lone surrogate) or holds NUL. */
  static Issue text(String value, String path) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        return new Issue(path, "contains a NUL character (U+0000); remove it");
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return new Issue(
            path,
            String.format(
                "contains a lone UTF-16 surrogate \\u%04X, which is not valid Unicode; remove the"
                    + " escape",
                (int) c));
      }
    }
    return null;
  }

  /**
   * Strings of the object (keys and values) that are not valid Unicode or hold NUL: one problem
   * each. Used by the validator, so {@code ark validate} and the admission webhook say the same.
   */
  public static java.util.List<Problem> invalidText(Manifest manifest) {
    java.util.List<Problem> problems = new java.util.ArrayList<>();
    texts(manifest.tree(), "", manifest, problems);
    return problems;
  }

  private static void texts(
      JsonNode node, String path, Manifest manifest, java.util.List<Problem> problems) {
    if (node.isTextual()) {
      Issue issue = text(node.asText(), path);
      if (issue != null) {
        problems.add(manifest.problem(issue.field(), issue.message()));
      }
    } else if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        String child = FieldPath.child(path, e.getKey());
        Issue issue = text(e.getKey(), child);
        if (issue != null) {
          problems.add(manifest.problem(issue.field(), issue.message()));
        }
        texts(e.getValue(), child, manifest, problems);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        texts(node.get(i), FieldPath.index(path, i), manifest, problems);
      }
    }
  }

  /** An explicit tag other than the plain YAML types (implicit resolution gives only those). */
  static Issue tag(Node node, String path) {
    Tag tag = node.getTag();
    if (tag == null || PLAIN.contains(tag)) {
      return null;
    }
    return new Issue(
        path,
        "YAML tag "
            + tag.getValue()
            + " is not supported: ark manifests are plain YAML data; remove the tag (put file"
            + " contents in a ConfigMap and reference it)");
  }

  /** The object is over {@link #MAX_OBJECT_BYTES}: named with its largest field. */
  static Issue tooLarge(JsonNode tree) {
    long size = tree.toString().length();
    if (size <= MAX_OBJECT_BYTES) {
      return null;
    }
    String[] largest = {"", ""};
    long[] largestSize = {-1};
    walk(tree, "", largest, largestSize);
    return new Issue(
        largest[0],
        String.format(
            "the object is %.1f MiB, over the %.1f MiB the Kubernetes API stores; this field alone"
                + " is %.1f MiB: shorten it, or move long text into a ConfigMap (e.g."
                + " systemPromptRef) or pass large data by reference",
            size / 1048576.0, MAX_OBJECT_BYTES / 1048576.0, largestSize[0] / 1048576.0));
  }

  private static void walk(JsonNode node, String path, String[] largest, long[] size) {
    if (node.isTextual()) {
      if (node.asText().length() > size[0]) {
        size[0] = node.asText().length();
        largest[0] = path;
      }
      return;
    }
    if (node.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        walk(e.getValue(), FieldPath.child(path, e.getKey()), largest, size);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        walk(node.get(i), FieldPath.index(path, i), largest, size);
      }
    }
  }

  /** Where the first byte that is not UTF-8 is, and what to do. */
  static String notUtf8(byte[] bytes) {
    int line = 1;
    int i = 0;
    while (i < bytes.length) {
      int b = bytes[i] & 0xff;
      int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
      boolean ok = len > 0 && i + len <= bytes.length;
      for (int k = 1; ok && k < len; k++) {
        ok = (bytes[i + k] & 0xc0) == 0x80;
      }
      if (!ok) {
        return String.format(
            "line %d: byte 0x%02X is not valid UTF-8 (the file is in another encoding, e.g."
                + " Latin-1 or UTF-16); save it as UTF-8",
            line, b);
      }
      if (b == '\n') {
        line++;
      }
      i += len;
    }
    return "the file is not valid UTF-8; save it as UTF-8";
  }
}
