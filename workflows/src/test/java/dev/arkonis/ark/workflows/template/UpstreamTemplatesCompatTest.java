package dev.arkonis.ark.workflows.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Compatibility suite: the templates in the upstream recipes ({@code ARK_COMPAT_DIR}, else {@code
 * ../shared/upstream-examples} next to the repository) are exactly the strings {@link
 * UpstreamTemplatesTest} renders, and each parses. Skipped when the recipes are absent.
 */
@EnabledIf(value = "upstreamPresent", disabledReason = "no upstream recipes: set ARK_COMPAT_DIR")
class UpstreamTemplatesCompatTest {
  private static Path dir;

  /** The class's condition: without the upstream recipes it is reported as skipped. */
  static boolean upstreamPresent() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    return (configured != null && !configured.isBlank())
        || Files.isDirectory(repoRoot().resolveSibling("shared").resolve("upstream-examples"));
  }

  private static Path repoRoot() {
    Path here = Path.of("").toAbsolutePath();
    return Files.exists(here.resolve("workflows")) ? here : here.getParent();
  }

  @BeforeAll
  static void needsTheUpstreamRecipes() {
    String configured = System.getenv("ARK_COMPAT_DIR");
    if (configured != null && !configured.isBlank()) {
      dir = Path.of(configured);
      assertThat(dir)
          .as("ARK_COMPAT_DIR (unset it or point it at the upstream recipes)")
          .isDirectory();
      return;
    }
    dir = repoRoot().resolveSibling("shared").resolve("upstream-examples");
    assumeTrue(
        Files.isDirectory(dir), "compatibility suite not run: no " + dir + " (set ARK_COMPAT_DIR)");
  }

  @Test
  void theRecipesTemplatesAreTheOnesRenderedByUpstreamTemplatesTest() throws IOException {
    Set<String> found = new LinkedHashSet<>();
    List<Path> recipes;
    try (Stream<Path> files = Files.list(dir)) {
      recipes = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertThat(recipes).as("recipes in %s", dir).isNotEmpty();
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (Path recipe : recipes) {
      try (MappingIterator<JsonNode> docs =
          yaml.readerFor(JsonNode.class).readValues(recipe.toFile())) {
        while (docs.hasNext()) {
          collect(docs.next(), found);
        }
      }
    }

    assertThat(found).containsExactlyInAnyOrderElementsOf(UpstreamTemplatesTest.ALL);
    for (String template : found) {
      assertThat(Template.parse(template).source()).isEqualTo(template);
    }
  }

  private static void collect(JsonNode node, Set<String> templates) {
    if (node.isTextual() && Template.isTemplate(node.asText())) {
      templates.add(node.asText());
    }
    node.forEach(child -> collect(child, templates));
  }
}
