package dev.arkonis.ark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * The upstream recipes of the optional compatibility suite ({@code *CompatTest}): {@code
 * ARK_COMPAT_DIR}, else {@code ../shared/upstream-examples} next to the repository. Only the
 * compatibility tests use this class; without the directory they are reported as skipped, and a set
 * {@code ARK_COMPAT_DIR} that is not a directory fails them. {@code scripts/test} prints whether
 * the suite ran.
 */
final class UpstreamRecipes {
  private UpstreamRecipes() {}

  /** The recipes' directory; skips the calling test when there is none. */
  static Path dir() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured);
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            "ARK_COMPAT_DIR="
                + configured
                + " is not a directory: unset it or point it at the upstream recipes");
      }
      return dir;
    }
    Path dir = sibling();
    Assumptions.assumeTrue(
        Files.isDirectory(dir), "compatibility suite not run: no " + dir + " (set ARK_COMPAT_DIR)");
    return dir;
  }

  /** The condition of every {@code *CompatTest} ({@code @EnabledIf}). */
  static boolean present() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    return (configured != null && !configured.isBlank()) || Files.isDirectory(sibling());
  }

  /** A recipe, e.g. {@code blog-writer.yaml}; skips the calling test when absent. */
  static Path recipe(String name) {
    return dir().resolve(name);
  }

  private static Path sibling() {
    return Cli.repoRoot().resolveSibling("shared").resolve("upstream-examples");
  }
}
