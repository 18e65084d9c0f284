package dev.arkonis.ark.cli;

import org.junit.jupiter.api.BeforeAll;

/**
 * Compatibility suite: every {@link RunCommandTest} check ({@code ark run}: JSON and text output,
 * dry run) on the upstream blog-writer recipe (skipped when the upstream recipes are absent).
 */
class RunCommandCompatTest extends RunCommandTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    Cli.upstreamDir();
  }

  @Override
  String recipe() {
    return Cli.upstream("blog-writer.yaml").toString();
  }
}
