package dev.arkonis.ark.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

/**
 * The routed example with {@code --mock-script}: the mock router still picks the agent, and the
 * chosen agent answers with its own scripted reply (the script is keyed by ArkAgent name), so each
 * of the five tasks provably ran on the expected agent.
 */
class RoutedTeamScriptedTest extends RoutedTeamTest {
  private static final List<String> AGENTS =
      List.of(
          "billing-agent",
          "tech-support",
          "sales-agent",
          "legal-agent",
          "content-writer",
          "generalist");

  @TempDir Path dir;

  @Override
  List<String> runArgs(String task) {
    StringBuilder script = new StringBuilder();
    for (String agent : AGENTS) {
      script.append(agent).append(":\n  - text: 'scripted answer of ").append(agent).append("'\n");
    }
    try {
      Path file = Files.writeString(dir.resolve("replies.yaml"), script.toString());
      List<String> args = super.runArgs(task);
      args.add("--mock-script");
      args.add(file.toString());
      return args;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  String expectedOutputStart(String agent) {
    return "scripted answer of " + agent;
  }
}
