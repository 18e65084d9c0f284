package dev.arkonis.ark.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the ark command in-process and captures what it prints. */
record Cli(int exitCode, String out, String err) {
  static Cli run(String... args) {
    CommandLine cli = Main.commandLine(args);
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
}
