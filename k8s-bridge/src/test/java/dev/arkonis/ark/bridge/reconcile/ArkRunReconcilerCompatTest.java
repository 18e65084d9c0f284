package dev.arkonis.ark.bridge.reconcile;

import dev.arkonis.ark.bridge.UpstreamRecipes;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: every {@link ArkRunReconcilerTest} check on the upstream blog-writer recipe
 * (skipped when the upstream recipes are absent, see {@link UpstreamRecipes#dir()}).
 */
@EnabledIf(
    value = "dev.arkonis.ark.bridge.UpstreamRecipes#present",
    disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class ArkRunReconcilerCompatTest extends ArkRunReconcilerTest {
  @BeforeAll
  static void needsTheUpstreamRecipes() {
    UpstreamRecipes.dir();
  }

  @Override
  InputStream blogWriter() {
    return UpstreamRecipes.open("blog-writer.yaml");
  }
}
