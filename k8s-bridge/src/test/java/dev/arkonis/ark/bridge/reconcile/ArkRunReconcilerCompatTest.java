package dev.arkonis.ark.bridge.reconcile;

import dev.arkonis.ark.bridge.Fixtures;
import java.io.InputStream;
import org.junit.jupiter.api.BeforeAll;

/**
 * Compatibility suite: every {@link ArkRunReconcilerTest} check on the upstream blog-writer recipe
 * (skipped when the upstream recipes are absent, see {@link Fixtures#upstreamDir()}).
 */
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
