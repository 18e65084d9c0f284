package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code ark <subcommand> --help} prints that subcommand's usage, even without its arguments. */
class HelpTest {
  static Stream<String> subcommands() {
    return Main.commandLine().getSubcommands().keySet().stream()
        .filter(name -> !name.equals("help"))
        .sorted();
  }

  @ParameterizedTest
  @MethodSource("subcommands")
  void helpOptionPrintsUsage(String subcommand) {
    for (String option : new String[] {"--help", "-h"}) {
      Cli result = Cli.run(subcommand, option);

      assertThat(result.exitCode()).as("%s %s: %s", subcommand, option, result.err()).isZero();
      assertThat(result.out()).startsWith("Usage: ark " + subcommand);
      assertThat(result.err()).doesNotContain("Unknown option", "Missing required").isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("subcommands")
  void helpSubcommandPrintsTheSameUsage(String subcommand) {
    Cli viaOption = Cli.run(subcommand, "--help");
    Cli viaHelp = Cli.run("help", subcommand);
    assertThat(viaHelp.exitCode()).isZero();
    assertThat(viaHelp.out()).isEqualTo(viaOption.out());
  }

  @ParameterizedTest
  @MethodSource("subcommands")
  void versionOptionWorksOnEverySubcommand(String subcommand) {
    assertThat(Cli.run(subcommand, "--version").out()).startsWith("ark ");
  }
}
