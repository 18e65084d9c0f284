package dev.arkonis.ark.bridge;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the tests' manifests come from: the module's own fixtures ({@code
 * src/test/resources/fixtures}), and for the compatibility suite ({@code *CompatTest}) the upstream
 * recipes in {@code ARK_COMPAT_DIR}, else {@code ../shared/upstream-examples} next to the
 * repository. Without that directory the compatibility tests are skipped; a set {@code
 * ARK_COMPAT_DIR} that is not a directory fails them.
 */
public final class Fixtures {
  private Fixtures() {}

  /** A fixture of this module, e.g. {@code blog-writer-team.yaml}. */
  public static InputStream open(String name) {
    InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name);
    if (in == null) {
      throw new IllegalArgumentException("no test fixture src/test/resources/fixtures/" + name);
    }
    return in;
  }

  /** An upstream recipe, e.g. {@code blog-writer.yaml}; skips the calling test when absent. */
  public static InputStream upstream(String name) {
    try {
      return Files.newInputStream(upstreamDir().resolve(name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the compatibility suite runs: the condition of every {@code *CompatTest}
   * ({@code @EnabledIf}), so without the upstream recipes those classes are reported as skipped.
   */
  public static boolean upstreamPresent() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    return (configured != null && !configured.isBlank())
        || Files.isDirectory(repoRoot().resolveSibling("shared").resolve("upstream-examples"));
  }

  /** The upstream recipes' directory; skips the calling test when there is none. */
  public static Path upstreamDir() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured);
      if (!Files.isDirectory(dir)) {
        throw new IllegalStateException(
            "ARK_COMPAT_DIR="
                + configured
                + " is not a directory: unset it or point it at the"
                + " upstream recipes");
      }
      return dir;
    }
    Path dir = repoRoot().resolveSibling("shared").resolve("upstream-examples");
    assumeTrue(
        Files.isDirectory(dir), "compatibility suite not run: no " + dir + " (set ARK_COMPAT_DIR)");
    return dir;
  }

  /** The repository root: the nearest directory up from here holding {@code scripts/test}. */
  static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.isRegularFile(p.resolve("scripts/test"))) {
        return p;
      }
    }
    return here.getParent();
  }
}
