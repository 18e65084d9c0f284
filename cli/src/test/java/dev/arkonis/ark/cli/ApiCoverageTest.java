package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code docs/api-coverage.md} names, for every field of every CRD, the class that handles it and
 * the test that proves it, or says it is rejected ("not supported yet"). This test reads the CRD
 * schemas and fails naming every field the page lacks, every row the schemas no longer have, every
 * class or test that does not exist, and every "rejected" row that {@code ark validate} accepts.
 *
 * <p>It also writes {@code cli/target/api-coverage.generated.md}: the page's tables with every
 * field and its meaning from the schema, the page's cells where it has them and {@code TODO} where
 * not — copy the new rows from there (regenerate: {@code mvn -pl cli -am test
 * -Dtest=ApiCoverageTest -Dsurefire.failIfNoSpecifiedTests=false}).
 */
class ApiCoverageTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");
  private static final Pattern PENDING_CELL = Pattern.compile("\\(pending: ([a-z-]+)\\)");
  private static final String REJECTED = "**rejected**: ";

  /**
   * Fields implemented by work that is not merged yet: their rows may say {@code (pending:
   * <topic>)} instead of a class and a test. Shrink this list as the work lands.
   */
  private static final Map<String, String> PENDING = pending();

  private static Path root;
  private static Map<String, Map<String, Field>> schemaFields;
  private static Map<String, Map<String, Row>> pageRows;

  /** One field path of a CRD schema: its type, first enum value and one-line meaning. */
  record Field(String kind, String path, JsonNode schema) {
    String meaning() {
      String text = schema.path("description").asText("").replaceAll("\\s+", " ").trim();
      int end = text.indexOf(". ");
      return (end > 0 ? text.substring(0, end + 1) : text).replace("|", "\\|");
    }
  }

  /** One row of the page, for one of the paths in its first column. */
  record Row(String kind, String path, String line, String handledBy, String provedBy) {}

  @BeforeAll
  static void read() throws IOException {
    root = Cli.repoRoot();
    schemaFields = schemaFields(root.resolve("crds/src/main/resources/crds"));
    pageRows = pageRows(root.resolve("docs/api-coverage.md"));
    writeSkeleton();
  }

  @Test
  void everyFieldOfEveryCrdHasARow() {
    List<String> missing = new ArrayList<>();
    schemaFields.forEach(
        (kind, fields) ->
            fields.keySet().stream()
                .filter(path -> !pageRows.getOrDefault(kind, Map.of()).containsKey(path))
                .forEach(path -> missing.add(kind + " " + path)));
    assertThat(missing)
        .as(
            "fields missing from docs/api-coverage.md (rows to copy are in"
                + " cli/target/api-coverage.generated.md)")
        .isEmpty();
  }

  @Test
  void everyRowIsAFieldOfItsCrd() {
    List<String> stale = new ArrayList<>();
    pageRows.forEach(
        (kind, rows) ->
            rows.keySet().stream()
                .filter(path -> !schemaFields.getOrDefault(kind, Map.of()).containsKey(path))
                .forEach(path -> stale.add(kind + " " + path)));
    assertThat(stale).as("rows of docs/api-coverage.md that no CRD has").isEmpty();
  }

  @Test
  void everyRowNamesExistingClassesAndTestsOrIsRejectedOrPending() throws IOException {
    Map<String, List<Path>> mainFiles = javaFiles("src/main/java");
    Map<String, List<Path>> testFiles = javaFiles("src/test/java");
    List<String> wrong = new ArrayList<>();
    for (Map<String, Row> rows : pageRows.values()) {
      for (Row row : rows.values()) {
        String where = row.kind() + " " + row.path() + ": ";
        Matcher pending = PENDING_CELL.matcher(row.handledBy());
        if (pending.find()) {
          String topic = PENDING.get(row.kind() + " " + row.path());
          if (!pending.group(1).equals(topic)) {
            wrong.add(where + "(pending: " + pending.group(1) + ") is not in PENDING of this test");
          }
          continue;
        }
        if (row.handledBy().startsWith(REJECTED)) {
          if (!row.handledBy().startsWith(REJECTED + "not supported yet: ")) {
            wrong.add(where + "a rejected row says \"**rejected**: not supported yet: <what>\"");
          }
        } else {
          List<String> classes = codes(row.handledBy());
          if (classes.isEmpty()) {
            wrong.add(where + "no handling class named");
          }
          for (String name : classes) {
            String problem = existing(name, mainFiles);
            if (problem != null) {
              wrong.add(where + "handled by " + problem);
            }
          }
        }
        List<String> tests = codes(row.provedBy());
        if (tests.isEmpty()) {
          wrong.add(where + "no test named");
        }
        for (String name : tests) {
          String problem = existing(name, testFiles);
          if (problem != null) {
            wrong.add(where + "proved by " + problem);
          }
        }
      }
    }
    assertThat(wrong).as("rows of docs/api-coverage.md").isEmpty();
  }

  @Test
  void everyRejectedFieldIsRejectedByArkValidate(@TempDir Path dir) throws IOException {
    List<String> accepted = new ArrayList<>();
    int checked = 0;
    for (Map<String, Row> rows : pageRows.values()) {
      for (Row row : rows.values()) {
        if (!row.handledBy().startsWith(REJECTED)) {
          continue;
        }
        Field field = schemaFields.get(row.kind()).get(row.path());
        Path file = dir.resolve("field-" + checked++ + ".yaml");
        YAML.writeValue(file.toFile(), manifestUsing(field));
        Cli result = Cli.run("validate", file.toString());
        String expected = row.handledBy().substring(REJECTED.length()).trim();
        String output = result.out() + result.err();
        if (result.exitCode() != 2 || !output.contains(expected)) {
          accepted.add(row.kind() + " " + row.path() + ": " + output.strip());
        }
      }
    }
    assertThat(checked).isPositive();
    assertThat(accepted).as("rejected rows that ark validate does not reject so").isEmpty();
  }

  @Test
  void pendingNamesOnlyFieldsOfTheCrds() {
    Set<String> all = new TreeSet<>();
    schemaFields.forEach((kind, fields) -> fields.keySet().forEach(p -> all.add(kind + " " + p)));
    assertThat(PENDING.keySet()).allSatisfy(key -> assertThat(all).contains(key));
  }

  /** A minimal object of the field's kind that sets the field (and the objects above it). */
  private static ObjectNode manifestUsing(Field field) {
    ObjectNode object = YAML.createObjectNode();
    object.put("apiVersion", "arkonis.dev/v1alpha1");
    object.put("kind", field.kind());
    object.putObject("metadata").put("name", "coverage");
    ObjectNode node = object;
    String[] segments = field.path().split("\\.");
    for (int i = 0; i < segments.length - 1; i++) {
      String segment = segments[i];
      if (segment.endsWith("[]")) {
        ArrayNode list = node.putArray(segment.substring(0, segment.length() - 2));
        node = list.addObject();
      } else {
        node = node.has(segment) ? (ObjectNode) node.get(segment) : node.putObject(segment);
      }
    }
    String last = segments[segments.length - 1];
    JsonNode schema = field.schema();
    String type = schema.path("type").asText("string");
    if (last.endsWith("[]")) {
      last = last.substring(0, last.length() - 2);
    }
    switch (type) {
      case "object" -> node.putObject(last);
      case "array" -> node.putArray(last);
      case "integer" -> node.put(last, 1);
      case "boolean" -> node.put(last, true);
      default ->
          node.put(
              last, schema.has("enum") ? schema.path("enum").get(0).asText() : "coverage-value");
    }
    return object;
  }

  /** Each backquoted name of a cell. */
  private static List<String> codes(String cell) {
    List<String> names = new ArrayList<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** Null when {@code Class} or {@code Class.method} exists; else what is wrong. */
  private static String existing(String name, Map<String, List<Path>> files) throws IOException {
    int dot = name.indexOf('.');
    String type = dot < 0 ? name : name.substring(0, dot);
    List<Path> candidates = files.getOrDefault(type, List.of());
    if (candidates.isEmpty()) {
      return "`" + name + "`: no file " + type + ".java";
    }
    if (dot >= 0) {
      String method = name.substring(dot + 1);
      for (Path file : candidates) {
        if (Files.readString(file).contains(" " + method + "(")) {
          return null;
        }
      }
      return "`" + name + "`: no method " + method + " in " + type + ".java";
    }
    return null;
  }

  /** Java files of every module's {@code src/main/java} or {@code src/test/java}, by class name. */
  private static Map<String, List<Path>> javaFiles(String sourceRoot) throws IOException {
    Map<String, List<Path>> files = new LinkedHashMap<>();
    try (Stream<Path> all = Files.walk(root, 12)) {
      all.filter(p -> p.toString().endsWith(".java"))
          .filter(p -> p.toString().contains("/" + sourceRoot + "/"))
          .filter(p -> !p.toString().contains("/target/"))
          .forEach(
              p ->
                  files
                      .computeIfAbsent(
                          p.getFileName().toString().replace(".java", ""), k -> new ArrayList<>())
                      .add(p));
    }
    return files;
  }

  /** Kind → field path → field, for spec and status of every CRD. */
  private static Map<String, Map<String, Field>> schemaFields(Path dir) throws IOException {
    Map<String, Map<String, Field>> kinds = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
        JsonNode crd = YAML.readTree(file.toFile());
        String kind = crd.path("spec").path("names").path("kind").asText();
        JsonNode schema =
            crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        Map<String, Field> fields = new LinkedHashMap<>();
        for (String top : List.of("spec", "status")) {
          walk(kind, schema.path("properties").path(top), top, fields);
        }
        kinds.put(kind, fields);
      }
    }
    return kinds;
  }

  /**
   * Every property below {@code schema}: {@code a.b}; list items' properties {@code a[].b}; map
   * values' properties {@code a.*.b}.
   */
  private static void walk(String kind, JsonNode schema, String path, Map<String, Field> out) {
    schema
        .path("properties")
        .fields()
        .forEachRemaining(
            p -> {
              String child = path + "." + p.getKey();
              out.put(child, new Field(kind, child, p.getValue()));
              walk(kind, p.getValue(), child, out);
            });
    if (schema.path("items").isObject()) {
      walk(kind, schema.path("items"), path + "[]", out);
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(kind, schema.path("additionalProperties"), path + ".*", out);
    }
  }

  /** Kind → path → row: the tables under each {@code ## <Kind>} heading of the page. */
  private static Map<String, Map<String, Row>> pageRows(Path page) throws IOException {
    Map<String, Map<String, Row>> rows = new LinkedHashMap<>();
    String kind = null;
    for (String line : Files.readAllLines(page)) {
      if (line.startsWith("## ")) {
        String heading = line.substring(3).trim().split("\\s+")[0];
        kind = heading.startsWith("Ark") ? heading : null;
        continue;
      }
      if (kind == null || !line.startsWith("| `")) {
        continue;
      }
      String[] cells = line.split("(?<!\\\\)\\|", -1);
      if (cells.length < 6) {
        throw new AssertionError("docs/api-coverage.md: a row needs 4 columns: " + line);
      }
      for (String path : codes(cells[1])) {
        Row previous =
            rows.computeIfAbsent(kind, k -> new LinkedHashMap<>())
                .put(path, new Row(kind, path, line, cells[3].trim(), cells[4].trim()));
        if (previous != null) {
          throw new AssertionError("docs/api-coverage.md: " + kind + " " + path + " twice");
        }
      }
    }
    return rows;
  }

  /** cli/target/api-coverage.generated.md: every field, with the page's cells or TODO. */
  private static void writeSkeleton() throws IOException {
    StringBuilder out = new StringBuilder("# API coverage (generated skeleton)\n");
    schemaFields.forEach(
        (kind, fields) -> {
          out.append("\n## ").append(kind).append("\n\n");
          out.append("| field | meaning | handled by | proved by |\n|---|---|---|---|\n");
          for (Field field : fields.values()) {
            Row row = pageRows.getOrDefault(kind, Map.of()).get(field.path());
            out.append("| `")
                .append(field.path())
                .append("` | ")
                .append(field.meaning())
                .append(" | ")
                .append(row == null ? "TODO" : row.handledBy())
                .append(" | ")
                .append(row == null ? "TODO" : row.provedBy())
                .append(" |\n");
          }
        });
    Path target = Path.of("target");
    Files.createDirectories(target);
    Files.writeString(target.resolve("api-coverage.generated.md"), out);
  }

  private static Map<String, String> pending() {
    return Map.of(); // every field has landed or is rejected
  }
}
