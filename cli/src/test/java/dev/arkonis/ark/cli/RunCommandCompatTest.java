package dev.arkonis.ark.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: every {@link RunCommandTest} check ({@code ark run}: JSON and text output,
 * dry run) on the upstream blog-writer recipe (skipped when the upstream recipes are absent).
 */
@EnabledIf(
    value = "dev.arkonis.ark.cli.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class RunCommandCompatTest extends RunCommandTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @Override
  String recipe() {
    return UpstreamRecipes.recipe("blog-writer.yaml").toString();
  }
}
