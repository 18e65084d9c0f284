package dev.arkonis.ark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import picocli.CommandLine;

/** Runs the ark command in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    CommandLine cli = Main.commandLine();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Cli(code, out.toString(), err.toString());
  }

  /** The repository root (the parent of the cli module). */
  static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("cli")) ? here : here.getParent();
  }

  /** A manifest of the cli module's own fixtures ({@code src/test/resources/fixtures}). */
  static Path fixture(String name) {
    return repoRoot().resolve("cli/src/test/resources/fixtures").resolve(name);
  }

  /**
   * The upstream recipes of the compatibility suite ({@code *CompatTest}): {@code ARK_COMPAT_DIR},
   * else {@code ../shared/upstream-examples} next to the repository. Skips the calling test when
   * neither exists; fails when {@code ARK_COMPAT_DIR} is set but is not a directory.
   */
  static Path upstreamDir() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured);
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            "ARK_COMPAT_DIR="
                + configured
                + " is not a directory: unset it or point it at the upstream recipes");
      }
      return dir;
    }
    Path dir = repoRoot().resolveSibling("shared").resolve("upstream-examples");
    Assumptions.assumeTrue(
        Files.isDirectory(dir), "compatibility suite not run: no " + dir + " (set ARK_COMPAT_DIR)");
    return dir;
  }

  /**
   * Whether the compatibility suite runs: the condition of every {@code *CompatTest}
   * ({@code @EnabledIf}), so without the upstream recipes those classes are reported as skipped.
   */
  static boolean upstreamPresent() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    return (configured != null && !configured.isBlank())
        || Files.isDirectory(repoRoot().resolveSibling("shared").resolve("upstream-examples"));
  }

  /** An upstream recipe, e.g. {@code blog-writer.yaml}; skips the calling test when absent. */
  static Path upstream(String name) {
    return upstreamDir().resolve(name);
  }
}
