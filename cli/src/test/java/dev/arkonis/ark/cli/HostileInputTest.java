package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every document of the hostile corpus ({@link HostileCorpus}) is refused by {@code ark validate}
 * and by {@code ark run} (which starts nothing): exit code 2, a short message naming the file,
 * line, object and field, no stack trace, no raw control or direction characters echoed back,
 * within seconds.
 */
class HostileInputTest {
  /** A Java exception class name or a stack frame. */
  static final Pattern STACK_TRACE =
      Pattern.compile(
          "(\\n\\s+at [\\w.$]+\\(|\\b(java|javax|org|com|io)\\.[\\w.$]+(Exception|Error)\\b)");

  /** Characters an error must never echo raw: C0/C1 controls but tab/newline, bidi, zero width. */
  static final Pattern RAW_INVISIBLE =
      Pattern.compile(
          "[\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ufeff]|[\\ud800-\\udfff]");

  static final Duration LIMIT = Duration.ofSeconds(30);

  @TempDir Path tmp;

  static Stream<Path> corpus() {
    return HostileCorpus.files().stream();
  }

  @Test
  void theCorpusHasAtLeastFortyDocuments() {
    assertThat(HostileCorpus.files()).hasSizeGreaterThanOrEqualTo(40);
  }

  @ParameterizedTest(name = "ark validate {0}")
  @MethodSource("corpus")
  void validateRefusesIt(Path file) throws Exception {
    Path doc = HostileCorpus.document(file, tmp);
    long start = System.nanoTime();
    Cli result = Cli.run("validate", doc.toString());
    assertRefused(file, result, start);
  }

  @ParameterizedTest(name = "ark run {0}")
  @MethodSource("corpus")
  void runRefusesItAndStartsNothing(Path file) throws Exception {
    Path doc = HostileCorpus.document(file, tmp);
    long start = System.nanoTime();
    Cli result = Cli.run("run", doc.toString(), "--provider", "mock");
    assertRefused(file, result, start);
    assertThat(result.out()).as("nothing ran").doesNotContain("Succeeded", "Running");
  }

  static Stream<Path> admissionCorpus() {
    return HostileCorpus.files().stream()
        .filter(f -> !HostileCorpus.header(f, "admission").isEmpty());
  }

  /** The admission webhook denies the same objects with the same words (no file and line). */
  @ParameterizedTest(name = "admission {0}")
  @MethodSource("admissionCorpus")
  void theAdmissionWebhookDeniesItWithTheSameMessage(Path file) throws Exception {
    Object yaml = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(file));
    com.fasterxml.jackson.databind.ObjectMapper json =
        new com.fasterxml.jackson.databind.ObjectMapper();
    com.fasterxml.jackson.databind.node.ObjectNode object = json.valueToTree(yaml);
    ((com.fasterxml.jackson.databind.node.ObjectNode) object.path("metadata"))
        .put("namespace", "team-a");
    com.fasterxml.jackson.databind.node.ObjectNode review = json.createObjectNode();
    review.put("apiVersion", "admission.k8s.io/v1");
    review.put("kind", "AdmissionReview");
    com.fasterxml.jackson.databind.node.ObjectNode request = review.putObject("request");
    request.put("uid", "u-1");
    request
        .putObject("kind")
        .put("group", "arkonis.dev")
        .put("version", "v1alpha1")
        .put("kind", object.path("kind").asText());
    request.put("operation", "CREATE");
    request.put("namespace", "team-a");
    request.put("name", object.path("metadata").path("name").asText());
    request.set("object", object);
    com.fasterxml.jackson.databind.JsonNode answer =
        new dev.arkonis.ark.bridge.admission.AdmissionReviews(
                new dev.arkonis.ark.activities.spec.SpecValidator(), (ns, name) -> null)
            .answer(review)
            .path("response");
    assertThat(answer.path("allowed").asBoolean(true)).as(answer.toString()).isFalse();
    String message = answer.path("status").path("message").asText();
    for (String text : HostileCorpus.header(file, "admission")) {
      assertThat(message).contains(text);
    }
    assertThat(RAW_INVISIBLE.matcher(message).find()).as(message).isFalse();
  }

  static void assertRefused(Path file, Cli result, long start) {
    String all = result.out() + result.err();
    System.out.println(
        "=== "
            + file.getFileName()
            + " exit "
            + result.exitCode()
            + "\n"
            + all.substring(0, Math.min(all.length(), 1500)));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("time").isLessThan(LIMIT);
    assertThat(result.exitCode()).as(all).isEqualTo(2);
    List<String> expected = HostileCorpus.header(file, "expect");
    assertThat(expected).as("# expect: lines of %s", file).isNotEmpty();
    for (String text : expected) {
      assertThat(result.err()).contains(text);
    }
    assertThat(STACK_TRACE.matcher(all).find()).as("stack trace in:\n%s", all).isFalse();
    assertThat(RAW_INVISIBLE.matcher(all).find())
        .as("raw invisible character in:\n%s", all)
        .isFalse();
    assertThat(all.length()).as("output size").isLessThan(16 * 1024);
  }
}
