package dev.arkonis.ark.cli;

import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compatibility suite: {@code ark dev} serves the upstream customer-support recipe's webhook (sync
 * mode answers with the run's output; a bad token starts nothing). Skipped when the upstream
 * recipes are absent.
 */
@EnabledIf(
    value = "dev.arkonis.ark.cli.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class DevRuntimeCompatTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @Test
  void recipesWebhookInSyncModeReturnsTheOutput(@TempDir Path dir) throws Exception {
    DevRuntimeTest.webhookInSyncModeAnswers(UpstreamRecipes.recipe("customer-support.yaml"), dir);
  }
}
