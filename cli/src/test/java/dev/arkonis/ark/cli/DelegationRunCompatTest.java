package dev.arkonis.ark.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: the {@link DelegationRunTest} checks (delegation to each specialist, the
 * unreachable MCP server, {@code --no-mcp}) on the upstream customer-support recipe (skipped when
 * the upstream recipes are absent).
 */
@EnabledIf(
    value = "dev.arkonis.ark.cli.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class DelegationRunCompatTest extends DelegationRunTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @Override
  Path recipe() {
    return UpstreamRecipes.recipe("customer-support.yaml");
  }
}
