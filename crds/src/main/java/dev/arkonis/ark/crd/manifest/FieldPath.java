package dev.arkonis.ark.crd.manifest;

/** Dotted field paths with list indices: {@code spec.pipeline[1].dependsOn[0]}. */
public final class FieldPath {
  private FieldPath() {}

  public static String child(String parent, String field) {
    return parent.isEmpty() ? field : parent + "." + field;
  }

  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }

  /** The enclosing path, or the empty string at the top. */
  public static String parent(String path) {
    int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
    return cut <= 0 ? "" : path.substring(0, cut);
  }
}
