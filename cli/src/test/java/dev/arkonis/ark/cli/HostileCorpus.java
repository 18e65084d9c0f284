package dev.arkonis.ark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The hostile-input corpus in {@code src/test/resources/hostile} (see its README): documents made
 * to exhaust memory, time or the stack, to smuggle control and look-alike characters, or to break
 * Kubernetes' naming rules. Header comments: {@code # hostile: CATEGORY}, {@code # expect: TEXT}
 * (fragments of the error), {@code # admission: TEXT} (the admission webhook's denial contains it)
 * and {@code # generate: KIND N} for documents too large to keep in the repository, built here.
 */
final class HostileCorpus {
  static final Path DIR = Path.of("src/test/resources/hostile");

  private HostileCorpus() {}

  static List<Path> files() {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> header(Path file, String key) {
    try {
      String prefix = "# " + key + ": ";
      return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)
          .lines()
          .takeWhile(l -> l.startsWith("#"))
          .filter(l -> l.startsWith(prefix))
          .map(
              l ->
                  new String(
                      l.substring(prefix.length()).getBytes(StandardCharsets.ISO_8859_1),
                      StandardCharsets.UTF_8))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String category(Path file) {
    return header(file, "hostile").stream().findFirst().orElse("?");
  }

  /** The document to feed: the file itself, or the generated one written under {@code dir}. */
  static Path document(Path file, Path dir) throws IOException {
    Optional<String> generate = header(file, "generate").stream().findFirst();
    if (generate.isEmpty()) {
      return file;
    }
    String[] spec = generate.get().split(" ");
    int n = Integer.parseInt(spec[1]);
    Path out = dir.resolve(file.getFileName());
    Files.writeString(out, generate(spec[0], n));
    return out;
  }

  private static String generate(String kind, int n) {
    StringBuilder doc = new StringBuilder();
    switch (kind) {
      case "documents" -> {
        for (int i = 0; i < n; i++) {
          doc.append("---\napiVersion: arkonis.dev/v1alpha1\nkind: ArkAgent\nmetadata: {name: a")
              .append(i)
              .append("}\nspec: {model: llama3.2, mcpServers: [{name: m, url: \"not a url\"}]}\n");
        }
      }
      case "unknown-fields" -> {
        doc.append(team("manyfields"));
        for (int i = 0; i < n; i++) {
          doc.append("  unknown").append(i).append(": 1\n");
        }
      }
      case "prompt-bytes" -> {
        doc.append(team("bigprompt"));
        doc.append("  output: |\n");
        String line = "    " + "x".repeat(96) + "\n";
        for (int written = 0; written < n; written += line.length()) {
          doc.append(line);
        }
      }
      case "run-input-bytes" -> {
        doc.append(team("biginput"));
        doc.append(
                "---\napiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata: {name: r1}\n"
                    + "spec:\n  teamRef: {name: biginput}\n  input:\n    task: \"")
            .append("y".repeat(n))
            .append("\"\n");
      }
      case "deep-flow" -> {
        doc.append(team("deepflow"));
        doc.append("  extra: ").append("[".repeat(n)).append("]".repeat(n)).append('\n');
      }
      case "deep-flow-map" -> {
        doc.append(team("deepmap"));
        doc.append("  extra: ").append("{a: ".repeat(n)).append("1").append("}".repeat(n));
        doc.append('\n');
      }
      case "deep-block" -> {
        doc.append(team("deepblock"));
        doc.append("  extra:\n");
        for (int i = 0; i < n; i++) {
          doc.append(" ".repeat(4 + i)).append("k:\n");
        }
        doc.append(" ".repeat(4 + n)).append("v\n");
      }
      default -> throw new IllegalArgumentException("unknown generator " + kind);
    }
    return doc.toString();
  }

  private static String team(String name) {
    return "apiVersion: arkonis.dev/v1alpha1\nkind: ArkTeam\nmetadata:\n  name: "
        + name
        + "\nspec:\n  roles: [{name: w, model: llama3.2}]\n  pipeline: [{role: w}]\n";
  }
}
