package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: {@code ark validate} accepts every upstream recipe unchanged (skipped when
 * the upstream recipes are absent).
 */
@EnabledIf(
    value = "dev.arkonis.ark.cli.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class ValidateCompatTest {
  private static List<Path> recipes;

  @BeforeAll
  static void needsTheUpstreamRecipes() throws IOException {
    try (var files = Files.list(UpstreamRecipes.dir())) {
      recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  @Test
  void acceptsEveryUpstreamRecipe() {
    assertThat(recipes).as("upstream recipes").isNotEmpty();
    for (Path file : recipes) {
      Cli result = Cli.run("validate", file.toString());
      assertThat(result.err())
          .as(file.toString())
          .doesNotContain(": unknown", "missing", "invalid");
      assertThat(result.exitCode()).as("%s: %s", file, result.err()).isZero();
      assertThat(result.out()).as(file.toString()).contains("valid");
    }
  }

  @Test
  void countsTheArkObjectsOfARecipe() {
    Cli result = Cli.run("validate", UpstreamRecipes.recipe("analytics-team.yaml").toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("2 ark object(s) valid");
  }
}
