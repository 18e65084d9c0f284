package dev.arkonis.ark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
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

  /** The shared folder next to the repository (upstream examples live there). */
  static Path shared() {
    String configured = System.getenv("ARK_TEST_SHARED_DIR");
    return configured != null ? Path.of(configured) : repoRoot().resolveSibling("shared");
  }
}
