package dev.arkonis.ark.bridge;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The module's own test manifests ({@code src/test/resources/fixtures}); the upstream recipes of
 * the compatibility suite are in {@link UpstreamRecipes}.
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
