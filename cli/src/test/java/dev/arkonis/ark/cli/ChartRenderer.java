package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.workflows.template.Template;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Renders a chart the way {@code helm template} does, for the template language subset the ark
 * chart uses: values.yaml deep-merged with overrides as {@code .Values}, {@code .Release} and
 * {@code .Chart} (Chart.yaml with capitalised keys); every {@code templates/*.yaml} not starting
 * with {@code _} rendered by ark's Go-template engine and split into documents; empty documents
 * dropped. CRDs ({@code crds/}) are not rendered, as in {@code helm template} without {@code
 * --include-crds}.
 *
 * <p>Also finds and runs a real {@code helm} binary ({@code $HELM}, PATH, {@code $GOPATH/bin} or
 * {@code ~/go/bin}), for the tests that compare with it.
 */
final class ChartRenderer {

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path chart;

  ChartRenderer(Path chart) {
    this.chart = chart;
  }

  /** The rendered documents, in file name order. */
  List<String> render(String release, String namespace, Map<String, Object> overrides)
      throws IOException {
    Map<String, Object> data = data(release, namespace, overrides);
    List<String> documents = new ArrayList<>();
    List<Path> templates;
    try (Stream<Path> files = Files.list(chart.resolve("templates"))) {
      templates =
          files.filter(p -> p.getFileName().toString().matches("[^_].*\\.ya?ml")).sorted().toList();
    }
    for (Path template : templates) {
      String text = Template.parse(Files.readString(template)).render(data);
      for (String document : text.split("(?m)^---[ \\t]*$")) {
        if (!isBlank(document)) {
          documents.add(document);
        }
      }
    }
    return documents;
  }

  String notes(String release, String namespace, Map<String, Object> overrides) throws IOException {
    String source = Files.readString(chart.resolve("templates/NOTES.txt"));
    return Template.parse(source).render(data(release, namespace, overrides));
  }

  private Map<String, Object> data(String release, String namespace, Map<String, Object> overrides)
      throws IOException {
    Map<String, Object> values = yamlMap(Files.readString(chart.resolve("values.yaml")));
    merge(values, overrides);
    Map<String, Object> chartMeta = new LinkedHashMap<>();
    yamlMap(Files.readString(chart.resolve("Chart.yaml")))
        .forEach(
            (k, v) ->
                chartMeta.put(
                    k.equals("apiVersion")
                        ? "APIVersion"
                        : Character.toUpperCase(k.charAt(0)) + k.substring(1),
                    v));
    Map<String, Object> releaseMeta = new LinkedHashMap<>();
    releaseMeta.put("Name", release);
    releaseMeta.put("Namespace", namespace);
    releaseMeta.put("Service", "Helm");
    releaseMeta.put("IsInstall", true);
    releaseMeta.put("IsUpgrade", false);
    releaseMeta.put("Revision", 1);
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("Values", values);
    data.put("Release", releaseMeta);
    data.put("Chart", chartMeta);
    return data;
  }

  /** Helm's values coalescing: maps merge key by key, anything else replaces. */
  @SuppressWarnings("unchecked")
  private static void merge(Map<String, Object> target, Map<String, Object> overrides) {
    overrides.forEach(
        (key, value) -> {
          if (value instanceof Map<?, ?> m && target.get(key) instanceof Map<?, ?> t) {
            Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) t);
            merge(copy, (Map<String, Object>) m);
            target.put(key, copy);
          } else {
            target.put(key, value);
          }
        });
  }

  private static boolean isBlank(String document) {
    return document
        .lines()
        .map(String::strip)
        .allMatch(line -> line.isEmpty() || line.startsWith("#"));
  }

  /** A YAML mapping as a mutable map; an empty document is an empty map. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> yamlMap(String yaml) throws IOException {
    Map<String, Object> map = YAML.readValue(yaml, LinkedHashMap.class);
    return map == null ? new LinkedHashMap<>() : map;
  }

  // ---------------------------------------------------------------------------------------------
  // A real helm

  static Optional<Path> helmBinary() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getenv("HELM");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "helm"));
        }
      }
    }
    String gopath = System.getenv("GOPATH");
    if (gopath != null && !gopath.isBlank()) {
      candidates.add(Path.of(gopath, "bin", "helm"));
    }
    candidates.add(Path.of(System.getProperty("user.home"), "go", "bin", "helm"));
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /** Runs {@code helm args}, asserts it exits with 0 within 120 s, and returns its stdout. */
  static String run(Path helm, List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(helm.toString());
    command.addAll(args);
    Path err = Files.createTempFile("helm", ".err");
    try {
      Process process =
          new ProcessBuilder(command).redirectError(err.toFile()).redirectInput(devNull()).start();
      String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("helm did not finish in 120 s: " + command);
      }
      assertThat(process.exitValue())
          .as("%s%n%s", String.join(" ", command), Files.readString(err))
          .isZero();
      return out;
    } finally {
      Files.deleteIfExists(err);
    }
  }

  private static File devNull() {
    return new File(File.separatorChar == '\\' ? "NUL" : "/dev/null");
  }
}
