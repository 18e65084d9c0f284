package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ValidateCommandTest {

  static Stream<Path> validFiles() throws IOException {
    Stream<Path> fixtures = Files.list(Cli.fixture("."));
    Stream<Path> examples = Files.list(Cli.repoRoot().resolve("examples"));
    return Stream.concat(fixtures, examples).filter(p -> p.toString().endsWith(".yaml")).sorted();
  }

  static Stream<Path> invalidFiles() throws IOException {
    return InvalidCorpus.files().stream();
  }

  @ParameterizedTest
  @MethodSource("validFiles")
  void acceptsFixturesAndExamples(Path file) {
    Cli result = Cli.run("validate", file.toString());
    assertThat(result.err()).doesNotContain(": unknown", "missing", "invalid");
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("valid");
  }

  @ParameterizedTest
  @MethodSource("invalidFiles")
  void rejectsBadDocumentsNamingTheCulprit(Path file) throws IOException {
    List<String> expected =
        Files.readAllLines(file).stream()
            .filter(l -> l.startsWith("# expect: "))
            .map(l -> l.substring("# expect: ".length()))
            .toList();
    assertThat(expected).as("test file needs '# expect:' lines").isNotEmpty();

    Cli result = Cli.run("validate", file.toString());

    assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
    for (String fragment : expected) {
      assertThat(result.err()).contains(fragment);
    }
    assertThat(result.err()).doesNotContain("Exception", "\tat ");
    for (String celText : InvalidCorpus.celText(file).stream().toList()) {
      assertThat(result.err())
          .as("ark validate says what the CRD's CEL rule says (# cel: in %s)", file)
          .contains(celText);
    }
  }

  @Test
  void invalidCorpusIsLargeEnough() throws IOException {
    assertThat(invalidFiles().count()).isGreaterThanOrEqualTo(20);
  }

  @Test
  void missingFileIsAUserError() {
    Cli result = Cli.run("validate", "no/such/file.yaml");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("no/such/file.yaml: file not found");
  }

  @Test
  void skipsOtherKindsWithANotice() {
    Path file = Cli.fixture("reporting-team.yaml");
    Cli result = Cli.run("validate", file.toString());
    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).contains("2 ark object(s) valid");
    assertThat(result.err())
        .contains(
            file + ":7: ignoring Secret/reporting-slack (not an ark kind)",
            file + ":15: ignoring ConfigMap/reporting-analyst-prompt (not an ark kind)");
  }

  @Test
  void helpAndVersionWork() {
    assertThat(Cli.run("--help").out()).contains("validate", "run");
    assertThat(Cli.run("version").exitCode()).isZero();
  }
}
