package dev.arkonis.ark.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * One ark object as the user wrote it: its JSON tree and, when it came from a file, the line of
 * every field so problems can point at the line.
 */
public final class Manifest {
  private final String file;
  private final ObjectNode tree;
  private final Map<String, Integer> lines;

  public Manifest(String file, ObjectNode tree, Map<String, Integer> lines) {
    this.file = file;
    this.tree = tree;
    this.lines = Map.copyOf(lines);
  }

  /** A manifest for an object that did not come from a file (e.g. read from the API server). */
  public static Manifest of(JsonNode tree) {
    return new Manifest("", (ObjectNode) tree, Map.of());
  }

  public String file() {
    return file;
  }

  public ObjectNode tree() {
    return tree;
  }

  public String kind() {
    return tree.path("kind").asText("");
  }

  public String apiVersion() {
    return tree.path("apiVersion").asText("");
  }

  public String name() {
    JsonNode metadata = tree.path("metadata");
    String name = metadata.path("name").asText("");
    return name.isEmpty() ? metadata.path("generateName").asText("") : name;
  }

  public String namespace() {
    return tree.path("metadata").path("namespace").asText("");
  }

  /** {@code Kind/name}, the way kubectl names objects. */
  public String object() {
    return kind() + "/" + name();
  }

  /**
   * Line of a field path such as {@code spec.pipeline[1].role}; falls back to the nearest enclosing
   * field that has a line, then to the document's first line.
   */
  public int lineOf(String path) {
    String p = path;
    while (true) {
      Integer line = lines.get(p);
      if (line != null) {
        return line;
      }
      if (p.isEmpty()) {
        return 0;
      }
      p = FieldPath.parent(p);
    }
  }

  /** A problem located at a field of this object. */
  public Problem problem(String path, String message) {
    return new Problem(file, lineOf(path), object(), path, message);
  }

  /** Binds the tree to a model class (unknown fields are kept by the generated classes). */
  public <T> T as(ObjectMapper mapper, Class<T> type) {
    return mapper.convertValue(tree, type);
  }
}
