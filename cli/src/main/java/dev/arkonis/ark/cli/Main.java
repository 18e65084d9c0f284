package dev.arkonis.ark.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ark} command. */
@Command(
    name = "ark",
    mixinStandardHelpOptions = true,
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = Main.Version.class,
    description = "AI agent teams as Kubernetes resources, run as Temporal workflows.")
public final class Main implements Runnable {
  /** Exit code for a run that ended in any phase but Succeeded. */
  public static final int EXIT_RUN_FAILED = 1;

  /** Exit code for usage and validation errors. */
  public static final int EXIT_USAGE = 2;

  /**
   * gRPC logs connection failures through java.util.logging; the CLI reports them in one line. Held
   * in a field so the level is not lost when the logger is garbage collected.
   */
  private static final java.util.logging.Logger GRPC_LOG =
      java.util.logging.Logger.getLogger("io.grpc");

  /** The subcommands, in the order {@code ark --help} lists them (before {@code help}). */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          ValidateCommand.class,
          RunCommand.class,
          DevCommand.class,
          DashboardCommand.class,
          TriggerCommand.class,
          StatusCommand.class,
          LogsCommand.class,
          AgentCommand.class,
          OperatorCommand.class,
          CodecServerCommand.class,
          VersionCommand.class);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    GRPC_LOG.setLevel(java.util.logging.Level.OFF);
    TemporalConnection.processExitsAfterClose = true;
    System.exit(execute(args));
  }

  /** Runs the command line and returns the exit code (for tests). */
  public static int execute(String... args) {
    return commandLine(args).execute(args);
  }

  /** The whole command line, every subcommand's model built. */
  static CommandLine commandLine() {
    return commandLine(new String[0]);
  }

  /**
   * The command line for {@code args}: when they start with a subcommand's name only that
   * subcommand's model is built (picocli builds every option of every command it is given, a fifth
   * of a short command's start-up on the main thread); else all of them, for help and errors.
   */
  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new Main());
    Class<?> named = args.length == 0 ? null : subcommand(args[0]);
    if (named != null) {
      cli.addSubcommand(named);
    } else {
      for (Class<?> c : SUBCOMMANDS) {
        cli.addSubcommand(c);
      }
      cli.addSubcommand(CommandLine.HelpCommand.class);
    }
    cli.setExitCodeExceptionMapper(e -> e instanceof UserError ? EXIT_USAGE : EXIT_RUN_FAILED);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof UserError) {
            commandLine.getErr().println("error: " + e.getMessage());
            return EXIT_USAGE;
          }
          throw e;
        });
    cli.setParameterExceptionHandler(
        (e, given) -> {
          CommandLine c = e.getCommandLine();
          c.getErr().println("error: " + e.getMessage());
          c.getErr().println("Run '" + c.getCommandSpec().qualifiedName() + " --help' for usage.");
          return EXIT_USAGE;
        });
    return cli;
  }

  private static Class<?> subcommand(String name) {
    for (Class<?> c : SUBCOMMANDS) {
      if (c.getAnnotation(Command.class).name().equals(name)) {
        return c;
      }
    }
    return null;
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  static String version() {
    Properties properties = new Properties();
    try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        properties.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return properties.getProperty("version", "unknown");
  }

  /** Supplies {@code --version}. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"ark " + version()};
    }
  }
}
