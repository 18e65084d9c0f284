package dev.arkonis.ark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The corpus of bad documents in {@code src/test/resources/invalid} (see its README): each has
 * {@code # expect:} lines (fragments of {@code ark validate}'s output) and, when the CRD alone
 * rejects it, one {@code # cel:} line (the rule text both {@code ark validate} and the API server's
 * message contain).
 */
final class InvalidCorpus {
  static final Path DIR = Path.of("src/test/resources/invalid");

  private InvalidCorpus() {}

  static List<Path> files() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  /** The {@code # cel:} text of a document, empty when only the validator rejects it. */
  static Optional<String> celText(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith("# cel: "))
          .map(l -> l.substring("# cel: ".length()).trim())
          .findFirst();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
