package dev.arkonis.ark.bridge.reconcile;

import dev.arkonis.ark.bridge.Fixtures;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: every {@link ArkRunReconcilerTest} check on the upstream blog-writer recipe
 * (skipped when the upstream recipes are absent, see {@link Fixtures#upstreamDir()}).
 */
@EnabledIf(
    value = "dev.arkonis.ark.bridge.Fixtures#upstreamPresent",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class ArkRunReconcilerCompatTest extends ArkRunReconcilerTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    Fixtures.upstreamDir();
  }

  @Override
  InputStream blogWriter() {
    return Fixtures.upstream("blog-writer.yaml");
  }
}
