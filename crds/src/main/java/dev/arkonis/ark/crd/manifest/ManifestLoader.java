package dev.arkonis.ark.crd.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads multi-document YAML into ark {@link Manifest}s, remembering the line of every field.
 * Documents of other kinds (Secret, Deployment, ...) are skipped with a notice; YAML syntax errors
 * are reported with file and line.
 */
public final class ManifestLoader {
  /** The API group of every ark kind. */
  public static final String GROUP = "arkonis.dev";

  /** The ark kinds, in the order they are usually applied. */
  public static final Set<String> KINDS =
      Set.of(
          "ArkSettings",
          "ArkMemory",
          "ArkNotify",
          "ArkAgent",
          "ArkRegistry",
          "ArkService",
          "ArkTeam",
          "ArkRun",
          "ArkEvent");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Loads a file; a missing or unreadable file is a problem, not an exception. */
  public LoadResult load(Path file) {
    Object text = read(file);
    return text instanceof LoadResult failed ? failed : parse(file.toString(), (String) text);
  }

  /**
   * Loads a YAML file that is not a Kubernetes object (e.g. a mock script) with the same limits and
   * line map as manifests: one document whose top level is a mapping. The result holds that
   * document as a {@link Manifest} without kind (use {@link Manifest#lineOf}), or the problems.
   */
  public LoadResult loadDocument(Path file) {
    Object read = read(file);
    if (read instanceof LoadResult failed) {
      return failed;
    }
    String name = file.toString();
    String text = (String) read;
    String longLine = Hostile.longLine(text);
    if (longLine != null) {
      return failed(name, Integer.parseInt(longLine.split(":", 2)[0]), longLine.split(":", 2)[1]);
    }
    List<Node> documents = new ArrayList<>();
    try {
      new Yaml(loaderOptions()).composeAll(new StringReader(text)).forEach(documents::add);
    } catch (MarkedYAMLException e) {
      return syntaxError(name, e);
    } catch (RuntimeException e) {
      return failed(name, "YAML syntax error: " + e.getMessage() + "; fix the YAML");
    }
    documents.removeIf(java.util.Objects::isNull);
    if (documents.size() != 1 || !(documents.get(0) instanceof MappingNode)) {
      return failed(
          name,
          documents.isEmpty() ? 0 : documents.get(0).getStartMark().getLine() + 1,
          documents.size() > 1
              ? "expected one YAML document, found " + documents.size() + "; keep one"
              : "expected a YAML mapping at the top level");
    }
    Map<String, Integer> lines = new HashMap<>();
    List<Hostile.Issue> issues = new ArrayList<>();
    ObjectNode tree;
    try {
      tree = (ObjectNode) toJson(documents.get(0), "", lines, issues, new Hostile.Walk());
    } catch (Hostile.Refused e) {
      return failed(name, e.line, (e.field.isEmpty() ? "" : e.field + ": ") + e.getMessage());
    }
    Manifest document = new Manifest(name, tree, lines);
    List<Problem> problems = new ArrayList<>();
    issues.forEach(
        i ->
            problems.add(
                new Problem(name, document.lineOf(i.field()), "", i.field(), i.message())));
    return new LoadResult(List.of(document), List.of(), List.of(), problems);
  }

  /** The file's text, or a failed {@link LoadResult} saying why it cannot be read. */
  private static Object read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return failed(file.toString(), "file not found; check the path");
    } catch (IOException e) {
      return failed(file.toString(), "cannot read file: " + e.getMessage());
    }
    if (bytes.length > Hostile.MAX_FILE_BYTES) {
      return failed(file.toString(), Hostile.fileTooLarge(bytes.length));
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return failed(file.toString(), Hostile.notUtf8(bytes));
    }
    return text;
  }

  private static LoaderOptions loaderOptions() {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setCodePointLimit(16 * 1024 * 1024);
    return options;
  }

  private static LoadResult syntaxError(String file, MarkedYAMLException e) {
    Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
    int line = mark == null ? 0 : mark.getLine() + 1;
    String where = mark == null ? "" : " (column " + (mark.getColumn() + 1) + ")";
    String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
    return failed(file, line, "YAML syntax error" + where + ": " + what + "; fix the YAML");
  }

  /** Parses YAML text that came from {@code file} (used in messages only). */
  public LoadResult parse(String file, String text) {
    List<Manifest> manifests = new ArrayList<>();
    List<Manifest> others = new ArrayList<>();
    List<String> notices = new ArrayList<>();
    List<Problem> problems = new ArrayList<>();
    LoaderOptions options = loaderOptions();
    String longLine = Hostile.longLine(text);
    if (longLine != null) {
      return failed(file, Integer.parseInt(longLine.split(":", 2)[0]), longLine.split(":", 2)[1]);
    }
    List<Node> documents = new ArrayList<>();
    try {
      new Yaml(options).composeAll(new StringReader(text)).forEach(documents::add);
    } catch (MarkedYAMLException e) {
      return syntaxError(file, e);
    } catch (RuntimeException e) {
      return failed(file, "YAML syntax error: " + e.getMessage() + "; fix the YAML");
    }
    int index = 0;
    for (Node document : documents) {
      index++;
      if (document == null) {
        continue;
      }
      int docLine = document.getStartMark().getLine() + 1;
      if (!(document instanceof MappingNode)) {
        problems.add(
            new Problem(
                file,
                docLine,
                "",
                "",
                "document " + index + " is not a YAML mapping; expected a Kubernetes object"));
        continue;
      }
      Map<String, Integer> lines = new HashMap<>();
      List<Hostile.Issue> issues = new ArrayList<>();
      ObjectNode tree;
      try {
        tree = (ObjectNode) toJson(document, "", lines, issues, new Hostile.Walk());
      } catch (Hostile.Refused e) {
        problems.add(
            new Problem(file, e.line, Hostile.objectOf(document), e.field, e.getMessage()));
        continue;
      }
      String kind = tree.path("kind").asText("");
      String apiVersion = tree.path("apiVersion").asText("");
      String name = tree.path("metadata").path("name").asText("");
      String group =
          apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
      boolean arkGroup = GROUP.equals(group);
      boolean arkKind = KINDS.contains(kind);
      if (kind.isEmpty()) {
        problems.add(
            new Problem(file, docLine, "", "kind", "document " + index + " has no kind; add one"));
        continue;
      }
      if (!arkGroup && !arkKind) {
        notices.add(
            file + ":" + docLine + ": ignoring " + kind + "/" + name + " (not an ark kind)");
        others.add(new Manifest(file, tree, lines));
        continue;
      }
      Manifest manifest = new Manifest(file, tree, lines);
      if (!arkKind) {
        problems.add(
            manifest.problem(
                "kind",
                "unknown kind \""
                    + kind
                    + "\" in group "
                    + GROUP
                    + "; use one of "
                    + String.join(", ", KINDS.stream().sorted().toList())));
        continue;
      }
      if (!apiVersion.equals(GROUP + "/v1alpha1")) {
        problems.add(
            manifest.problem(
                "apiVersion",
                "unsupported apiVersion \"" + apiVersion + "\"; use " + GROUP + "/v1alpha1"));
        continue;
      }
      if (manifest.name().isEmpty()) {
        problems.add(manifest.problem("metadata.name", "missing metadata.name; give it a name"));
        continue;
      }
      String badName = Hostile.badName(manifest.name());
      if (badName != null) {
        issues.add(0, new Hostile.Issue("metadata.name", badName));
      }
      Hostile.Issue tooLarge = Hostile.tooLarge(tree);
      if (tooLarge != null) {
        issues.add(tooLarge);
      }
      if (!issues.isEmpty()) {
        issues.forEach(i -> problems.add(manifest.problem(i.field(), i.message())));
        continue;
      }
      manifests.add(manifest);
    }
    if (manifests.isEmpty() && problems.isEmpty()) {
      problems.add(
          new Problem(
              file,
              0,
              "",
              "",
              "no ark objects found (apiVersion " + GROUP + "/v1alpha1); check the file"));
    }
    return new LoadResult(manifests, others, notices, problems);
  }

  private static LoadResult failed(String file, String message) {
    return failed(file, 0, message);
  }

  private static LoadResult failed(String file, int line, String message) {
    return new LoadResult(
        List.of(), List.of(), List.of(), List.of(new Problem(file, line, "", "", message)));
  }

  private static JsonNode toJson(
      Node node,
      String path,
      Map<String, Integer> lines,
      List<Hostile.Issue> issues,
      Hostile.Walk walk) {
    lines.put(path, node.getStartMark().getLine() + 1);
    walk.enter(node, path);
    try {
      return convert(node, path, lines, issues, walk);
    } finally {
      walk.leave(node);
    }
  }

  private static JsonNode convert(
      Node node,
      String path,
      Map<String, Integer> lines,
      List<Hostile.Issue> issues,
      Hostile.Walk walk) {
    Hostile.Issue tag = Hostile.tag(node, path);
    if (tag != null) {
      issues.add(tag);
    }
    if (node instanceof MappingNode mapping) {
      if (mapping.getValue().size() > Hostile.MAX_KEYS) {
        throw new Hostile.Refused(
            node.getStartMark().getLine() + 1,
            path,
            "this mapping has "
                + mapping.getValue().size()
                + " keys, more than the "
                + Hostile.MAX_KEYS
                + " ark reads in one mapping; remove the keys that do not belong here");
      }
      ObjectNode object = NODES.objectNode();
      for (NodeTuple tuple : mapping.getValue()) {
        if (!(tuple.getKeyNode() instanceof ScalarNode key)) {
          continue;
        }
        String child = FieldPath.child(path, key.getValue());
        if (object.has(key.getValue())) {
          issues.add(
              new Hostile.Issue(
                  child,
                  "duplicate key \""
                      + key.getValue()
                      + "\" again at line "
                      + (key.getStartMark().getLine() + 1)
                      + "; YAML would keep only the last one: remove one of them"));
          continue;
        }
        object.set(key.getValue(), toJson(tuple.getValueNode(), child, lines, issues, walk));
        lines.put(child, key.getStartMark().getLine() + 1);
      }
      return object;
    }
    if (node instanceof SequenceNode sequence) {
      ArrayNode array = NODES.arrayNode();
      List<Node> items = sequence.getValue();
      for (int i = 0; i < items.size(); i++) {
        array.add(toJson(items.get(i), FieldPath.index(path, i), lines, issues, walk));
      }
      return array;
    }
    return scalar((ScalarNode) node);
  }

  private static JsonNode scalar(ScalarNode scalar) {
    String value = scalar.getValue();
    Tag tag = scalar.getTag();
    try {
      if (Tag.NULL.equals(tag)) {
        return NODES.nullNode();
      }
      if (Tag.BOOL.equals(tag)) {
        return NODES.booleanNode(
            value.equalsIgnoreCase("true")
                || value.equalsIgnoreCase("yes")
                || value.equalsIgnoreCase("on"));
      }
      if (Tag.INT.equals(tag)) {
        BigInteger number = new BigInteger(value.replace("_", ""));
        return number.bitLength() < 64
            ? NODES.numberNode(number.longValue())
            : NODES.numberNode(number);
      }
      if (Tag.FLOAT.equals(tag)) {
        return NODES.numberNode(Double.parseDouble(value.replace("_", "")));
      }
    } catch (NumberFormatException e) {
      return NODES.textNode(value);
    }
    return NODES.textNode(value);
  }
}
