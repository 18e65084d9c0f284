package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.api.RunPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ark run FILE}: runs a team once, locally, and prints its steps and output. */
@Command(
    name = "run",
    description = {
      "Run a team once and print its steps and output.",
      "Uses an in-process Temporal service (or --temporal-address), one worker per",
      "agent task queue, and the mock model when no API key is set. Exit code 0 when the run",
      "Succeeded, 1 for any other final phase, 2 for usage or validation errors."
    })
final class RunCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Parameters(index = "0", paramLabel = "FILE", description = "YAML file with the ArkTeam.")
  Path file;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "TEXT",
      description = "Free-text input for a team with a single input (e.g. message, task).")
  String text;

  @Option(
      names = "--team",
      description = "Which ArkTeam of the file to run (default: the only one).")
  String team;

  @Option(
      names = "--input",
      paramLabel = "KEY=VALUE|JSON",
      description =
          "A run input as key=value (a string), or several as a JSON object; repeatable, the forms"
              + " mix, a key given twice is an error.")
  List<String> inputs = new ArrayList<>();

  @Option(
      names = "--provider",
      defaultValue = "auto",
      description = "auto, mock, openai, anthropic, ollama or gemini (default: ${DEFAULT-VALUE}).")
  String provider;

  @Option(
      names = "--no-mcp",
      description = "Leave MCP servers out (for recipes whose servers only exist in a cluster).")
  boolean noMcp;

  @Option(names = "--watch", description = "Show the live step table even when not on a terminal.")
  boolean watch;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text or json (an ArkRun object as kubectl shows it).")
  String output;

  @Option(names = "--dry-run", description = "Validate and print the plan without running it.")
  boolean dryRun;

  @Option(
      names = {"-v", "--verbose"},
      description =
          "Also print the workers' warnings about failed model and tool calls, with stack traces"
              + " (by default a failure is reported once, on its step).")
  boolean verbose;

  @Option(
      names = "--temporal-address",
      paramLabel = "HOST:PORT",
      description = "Use this Temporal server instead of an in-process one.")
  String temporalAddress;

  @Option(
      names = "--temporal-namespace",
      defaultValue = "default",
      description = "Temporal namespace with --temporal-address (default: ${DEFAULT-VALUE}).")
  String temporalNamespace;

  @Option(
      names = "--mock-latency",
      paramLabel = "DURATION",
      description = "Mock model answer delay, e.g. 500ms or 2s (benchmarks).")
  String mockLatency;

  @Option(
      names = "--mock-fail-rate",
      paramLabel = "P",
      defaultValue = "0",
      description = "Fraction (0..1) of mock model calls that fail and are retried (fault tests).")
  double mockFailRate;

  @Option(
      names = "--mock-script",
      paramLabel = "FILE",
      description =
          "Scripted mock replies per role (YAML: role → list of text/toolCalls replies); implies"
              + " --provider mock. See docs/testing.md.")
  Path mockScript;

  @Option(
      names = "--set-prompt",
      paramLabel = "NAME/KEY=@FILE",
      description =
          "Value of a systemPromptRef key not in the file (ConfigMap or Secret name/key).")
  List<String> setPrompts = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (!output.equals("text") && !output.equals("json")) {
      throw new UserError("--output must be text or json, not \"" + output + "\"");
    }
    if (!(mockFailRate >= 0 && mockFailRate <= 1)) {
      throw new UserError("--mock-fail-rate must be between 0 and 1");
    }
    MockScript script = MockScripts.load(mockScript);
    String chosenProvider = MockScripts.provider(provider, script);
    LoadResult loaded = new ManifestLoader().load(file);
    List<Problem> problems = new ArrayList<>(loaded.problems());
    problems.addAll(new SpecValidator().validate(loaded.manifests()));
    if (!problems.isEmpty()) {
      Problem.formatAll(problems).forEach(err::println);
      err.flush();
      return Main.EXIT_USAGE;
    }
    Manifest teamManifest = pickTeam(loaded);
    JsonNode teamSpec = teamManifest.tree().path("spec");
    String namespace = teamManifest.namespace().isEmpty() ? "default" : teamManifest.namespace();
    Map<String, Object> inputs;
    RunPlan plan;
    FileReferences references;
    try {
      try {
        inputs = InputResolver.resolve(teamSpec, givenInputs(teamSpec));
      } catch (SpecException e) {
        throw new SpecException(teamManifest.object() + ": " + e.getMessage());
      }
      String runName = RunNames.generate(teamManifest.name());
      references = new FileReferences(loaded, prompts());
      plan =
          new RunPlanner(references, notice -> err.println("ark: " + notice), !noMcp)
              .plan(
                  namespace,
                  teamManifest.name(),
                  teamSpec,
                  runName,
                  inputs,
                  Map.of(),
                  Map.of(),
                  null,
                  null);
    } catch (SpecException e) {
      throw new UserError(e.getMessage());
    }
    err.flush();
    if (script != null) {
      MockScripts.check(
          script,
          plan.allAgents().values().stream().map(a -> a.role()).collect(Collectors.toSet()),
          plan.allAgents().values().stream().map(a -> a.agent()).toList(),
          teamManifest.object());
    }
    if (dryRun) {
      DryRun.print(spec.commandLine().getOut(), plan);
      return 0;
    }
    quietActivityFailures(verbose);
    LocalRun.Options options =
        new LocalRun.Options(
            chosenProvider,
            parseDuration(mockLatency),
            mockFailRate,
            temporalAddress,
            temporalNamespace,
            AgentWorkerOptions.forTeam(namespace, teamManifest.name(), teamSpec, references),
            script);
    FileReferences promptSource = references;
    return new LocalRun(
            options,
            spec.commandLine().getOut(),
            err,
            ref -> promptSource.key(true, ref.name(), ref.key()))
        .execute(plan, output, watch);
  }

  /**
   * Temporal logs every failed activity attempt as a warning with the full stack trace; the run
   * already reports the failure on its step (and in {@code -o json}), so {@code ark run} keeps them
   * off stderr unless {@code --verbose}. slf4j-simple reads a logger's level from the system
   * properties when the logger is created, which is after this (the workers start later).
   */
  static void quietActivityFailures(boolean verbose) {
    for (String logger : ACTIVITY_FAILURE_LOGGERS) {
      System.setProperty("org.slf4j.simpleLogger.log." + logger, verbose ? "warn" : "error");
    }
  }

  /**
   * Where Temporal logs failed attempts ({@code ActivityTaskExecutors}) and results of attempts
   * that already timed out ({@code ActivityWorker}).
   */
  private static final List<String> ACTIVITY_FAILURE_LOGGERS =
      List.of("io.temporal.internal.activity", "io.temporal.internal.worker.ActivityWorker");

  private Manifest pickTeam(LoadResult loaded) {
    List<Manifest> teams =
        loaded.manifests().stream().filter(m -> m.kind().equals("ArkTeam")).toList();
    List<String> names = teams.stream().map(Manifest::name).toList();
    if (teams.isEmpty()) {
      throw new UserError(file + ": no ArkTeam in the file; ark run needs one");
    }
    if (team != null) {
      return teams.stream()
          .filter(m -> m.name().equals(team))
          .findFirst()
          .orElseThrow(
              () ->
                  new UserError(
                      "--team "
                          + team
                          + ": no such ArkTeam in "
                          + file
                          + "; teams in the file: "
                          + String.join(", ", names)));
    }
    if (teams.size() > 1) {
      throw new UserError(
          file + " has several teams (" + String.join(", ", names) + "); pick one with --team");
    }
    return teams.get(0);
  }

  private Map<String, Object> givenInputs(JsonNode teamSpec) {
    Map<String, Object> given = RunInputs.parse(inputs);
    if (text != null) {
      List<String> declared = InputResolver.declared(teamSpec);
      if (declared.size() > 1) {
        throw new UserError(
            "the team has several inputs ("
                + String.join(", ", declared)
                + "); pass them with --input key=value instead of free text");
      }
      given.put(declared.isEmpty() ? "task" : declared.get(0), text);
    }
    return given;
  }

  private Map<String, String> prompts() {
    Map<String, String> prompts = new LinkedHashMap<>();
    for (String entry : setPrompts) {
      int eq = entry.indexOf('=');
      if (eq < 0 || entry.indexOf('/') < 0 || entry.indexOf('/') > eq) {
        throw new UserError("--set-prompt " + entry + ": use NAME/KEY=@FILE or NAME/KEY=TEXT");
      }
      String value = entry.substring(eq + 1);
      if (value.startsWith("@")) {
        try {
          value = Files.readString(Path.of(value.substring(1)));
        } catch (IOException e) {
          throw new UserError("--set-prompt " + entry + ": cannot read " + value.substring(1));
        }
      }
      prompts.put(entry.substring(0, eq), value);
    }
    return prompts;
  }

  private static Duration nonNegative(String text, Duration duration) {
    if (duration.isNegative()) {
      throw new UserError("invalid duration \"" + text + "\"; it cannot be negative");
    }
    return duration;
  }

  static Duration parseDuration(String text) {
    if (text == null || text.isBlank()) {
      return Duration.ZERO;
    }
    String t = text.trim().toLowerCase();
    try {
      if (t.endsWith("ms")) {
        return nonNegative(text, Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2))));
      }
      if (t.endsWith("s")) {
        return nonNegative(
            text,
            Duration.ofMillis(
                Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000)));
      }
      if (t.endsWith("m")) {
        return nonNegative(
            text, Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60));
      }
      return nonNegative(text, Duration.ofMillis(Long.parseLong(t)));
    } catch (NumberFormatException e) {
      throw new UserError("invalid duration \"" + text + "\"; use e.g. 500ms, 2s or 1m");
    }
  }
}
