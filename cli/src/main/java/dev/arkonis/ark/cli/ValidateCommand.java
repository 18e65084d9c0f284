package dev.arkonis.ark.cli;

import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ark validate FILE...}: schema and semantic checks, exit 0 when valid, 2 otherwise. */
@Command(
    name = "validate",
    description = {
      "Check manifests without running them.",
      "Each object is checked against its CRD schema and the rules the API server cannot check:",
      "unknown roles and steps, dependency cycles, templates, output schemas, cron expressions.",
      "Exit code 0 when every file is valid, 2 otherwise."
    })
final class ValidateCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE", description = "YAML files (multi-document).")
  List<Path> files = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ManifestLoader loader = new ManifestLoader();
    SpecValidator validator = new SpecValidator();
    int invalid = 0;
    for (Path file : files) {
      LoadResult loaded = loader.load(file);
      loaded.notices().forEach(err::println);
      List<Problem> problems = new ArrayList<>(loaded.problems());
      problems.addAll(validator.validate(loaded.manifests()));
      if (problems.isEmpty()) {
        out.println(file + ": " + loaded.manifests().size() + " ark object(s) valid");
      } else {
        invalid++;
        Problem.formatAll(problems).forEach(err::println);
      }
    }
    out.flush();
    err.flush();
    return invalid == 0 ? 0 : Main.EXIT_USAGE;
  }
}
