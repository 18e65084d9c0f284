package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arkonis.ark.activities.spec.SpecValidator;
import dev.arkonis.ark.bridge.admission.LocalAdmissionWebhook;
import dev.arkonis.ark.bridge.admission.WebhookRegistration;
import dev.arkonis.ark.bridge.events.EventActivitiesImpl;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.manifest.FieldPath;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.ManifestLoader;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.crd.manifest.SchemaValidator;
import dev.arkonis.ark.workflows.api.EventActivities;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance: {@code kubectl apply} rejects what {@code ark validate} rejects. On the rig's real
 * kube-apiserver ({@code ARK_TEST_KUBECONFIG}), with the CRDs installed and the admission webhook
 * served by this test process and registered by URL ({@link LocalAdmissionWebhook}, only for this
 * test's namespace), the real {@code kubectl} applies each bad document of {@code
 * src/test/resources/invalid}: the API server rejects it with the text {@code ark validate} gives
 * (run in-process for the expected text) and stores nothing of the rejected objects.
 *
 * <p>Who rejects: the API server's own OpenAPI validation (types, enums, required and unknown
 * fields) runs before any webhook — for those documents the API server's message is compared on the
 * field path {@code ark validate} names. CEL rules in the CRDs, or the webhook, reject the others —
 * compared on the rule text (the message up to its "what to do" hint); when the webhook answered,
 * on the whole {@code Kind/name: field: message} line of {@code ark validate}.
 *
 * <p>Not applied: documents that are not parseable YAML or hold no ark object (kubectl or the API
 * server handle them without ark). Applied but compared only on "refused": an unknown kind, an
 * unserved apiVersion, a missing name — kubectl refuses them itself before anything reaches the API
 * server's admission.
 */
class AdmissionIT {
  private static final String INVALID = "src/test/resources/invalid";
  private static final String KIND_LEVEL = "kind apiVersion metadata.name";

  /** Messages of Kubernetes' own structural checks, which no CRD or webhook words. */
  private static final Pattern STRUCTURAL =
      Pattern.compile("Duplicate value|Required value|Unsupported value|must be of type");

  private static Path kubeconfig;
  private static KubernetesClient client;
  private static LocalAdmissionWebhook admission;
  private static String namespace;
  private static String configuration;

  @BeforeAll
  static void setUp() throws Exception {
    String path = System.getenv("ARK_TEST_KUBECONFIG");
    if (path == null || path.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the integration tests with scripts/test, which"
              + " starts a local API server (scripts/cluster up) and sets it");
    }
    kubeconfig = Path.of(path);
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
            .build();
    CrdCatalog.install(client);
    for (String plural : CrdCatalog.PLURALS.values()) {
      client
          .resources(CustomResourceDefinition.class)
          .withName(plural + ".arkonis.dev")
          .waitUntilCondition(AdmissionIT::established, 60, TimeUnit.SECONDS);
    }
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    namespace = "ark-admission-" + suffix;
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();

    configuration = "ark-admission-it-" + suffix;
    admission =
        LocalAdmissionWebhook.start(
            client,
            configuration,
            0,
            new WebhookRegistration.Options("Fail", 10, List.of(), List.of(namespace)));
    awaitWebhookActive();
  }

  @AfterAll
  static void tearDown() {
    if (client == null) {
      return;
    }
    if (admission != null) {
      admission.close();
      assertThat(
              client
                  .admissionRegistration()
                  .v1()
                  .validatingWebhookConfigurations()
                  .withName(configuration)
                  .get())
          .as("the configuration is deleted on close")
          .isNull();
    }
    if (namespace != null) {
      client.namespaces().withName(namespace).delete();
    }
    client.close();
  }

  static Stream<Path> invalidDocuments() throws IOException {
    try (Stream<Path> files = Files.list(Path.of(INVALID))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidDocuments")
  void kubectlApplyRejectsWhatArkValidateRejects(Path file) throws Exception {
    LoadResult loaded = new ManifestLoader().load(file);
    List<Problem> expected = new ArrayList<>(loaded.problems());
    expected.addAll(new SpecValidator().validate(loaded.manifests()));
    assertThat(expected).as("ark validate %s", file).isNotEmpty();
    assumeTrue(
        expected.stream().noneMatch(p -> p.object().isEmpty()),
        () ->
            file
                + ": not parseable YAML or no ark object ("
                + expected.get(0).message()
                + "); kubectl and the API server handle it without ark");

    Kubectl apply = kubectl("apply", "-f", file.toString());

    String output = apply.output();
    assertThat(apply.exitCode()).as("kubectl apply %s: %s", file, output).isNotZero();
    assertThat(output).doesNotContain("Exception", "\tat ");
    java.util.Optional<String> celText = InvalidCorpus.celText(file);
    if (celText.isPresent()) {
      // The CRD's CEL rule refuses it before any webhook runs: its message carries the rule text
      // ark validate prints too (ValidateCommandTest checks that side).
      assertThat(output).contains(celText.get()).contains("is invalid");
    }
    for (Problem problem : celText.isPresent() ? List.<Problem>of() : expected) {
      if (Set.of(KIND_LEVEL.split(" ")).contains(problem.field())) {
        continue; // kubectl refuses these before any request; the exit code is the check
      }
      Manifest manifest = manifestOf(loaded, problem);
      if (manifest == null) {
        continue; // refused by the loader (kind, apiVersion, name): kubectl refuses it too
      }
      if (!new SchemaValidator().validate(manifest).isEmpty()) {
        assertThat(output)
            .as("the API server's schema validation names %s", problem.field())
            .contains(problem.field());
      } else if (STRUCTURAL.matcher(output).find()) {
        // Kubernetes' own list-map and schema checks (fixed messages) ran before CEL and webhooks.
        assertThat(output)
            .as("%s: the API server names the field or its parent", problem)
            .containsAnyOf(problem.field() + ":", FieldPath.parent(problem.field()) + ":");
      } else {
        // The webhook's 422 lists each problem as a cause: kubectl prints "The ArkTeam \"x\" is
        // invalid: <field>: <message>", the text of ark validate; a CEL rule prints its own
        // field path and its message, which must carry the same rule text.
        assertThat(output)
            .as("rule text of %s", problem)
            .contains(ruleText(problem))
            .contains("The " + manifest.kind() + " \"" + manifest.name() + "\" is invalid");
      }
    }
    for (String object : expected.stream().map(Problem::object).distinct().toList()) {
      String kind = object.substring(0, object.indexOf('/'));
      String name = object.substring(object.indexOf('/') + 1);
      if (name.isEmpty() || !CrdCatalog.PLURALS.containsKey(kind)) {
        continue; // no such kind or no name: nothing could be stored under it
      }
      Kubectl get =
          kubectl(
              "get",
              CrdCatalog.PLURALS.get(kind) + ".arkonis.dev",
              name,
              "--ignore-not-found",
              "-o",
              "name");
      assertThat(get.exitCode()).as(get.output()).isZero();
      assertThat(get.output()).as("%s was stored", object).isBlank();
    }
  }

  @Test
  void aValidDocumentIsAdmittedAndABreakingUpdateRejected() throws Exception {
    Path dir = Files.createTempDirectory("ark-admission");
    Path team = dir.resolve("team.yaml");
    Files.writeString(
        team,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: blog-team
        spec:
          roles:
            - name: writer
              model: llama3.2
          pipeline:
            - role: writer
          output: "{{ .steps.writer.output }}"
        """);
    Kubectl created = kubectl("apply", "-f", team.toString());
    assertThat(created.exitCode()).as(created.output()).isZero();
    assertThat(created.output()).contains("arkteam.arkonis.dev/blog-team created");

    Files.writeString(
        team,
        Files.readString(team)
            .replace(".steps.writer.output }}", ".steps.writer.output | shout }}"));
    Kubectl updated = kubectl("apply", "-f", team.toString());
    assertThat(updated.exitCode()).as(updated.output()).isNotZero();
    List<Problem> expected =
        new SpecValidator().validate(new ManifestLoader().load(team).manifests());
    assertThat(expected).isNotEmpty();
    for (Problem problem : expected) {
      assertThat(updated.output())
          .contains(
              "The ArkTeam \"blog-team\" is invalid: "
                  + problem.field()
                  + ": "
                  + problem.message());
    }
    Kubectl get = kubectl("get", "arkteam", "blog-team", "-o", "jsonpath={.spec.output}");
    assertThat(get.output()).isEqualTo("{{ .steps.writer.output }}");
  }

  /**
   * An ArkEvent fire whose run the webhook rejects (a required input missing) fails at once with
   * the API server's message, instead of retrying the same create.
   */
  @Test
  void aRejectedFireRunFailsWithoutRetrying() throws Exception {
    Kubectl team = kubectl("apply", "-f", Path.of(INVALID, "run-missing-input.yaml").toString());
    assertThat(team.output()).contains("arkteam.arkonis.dev/blog");
    EventActivitiesImpl activities = new EventActivitiesImpl(client);

    assertThatThrownBy(
            () ->
                activities.createRuns(
                    namespace,
                    "nightly",
                    List.of(new EventActivities.NewRun("blog-fire-1", "blog", Map.of()))))
        .isInstanceOfSatisfying(
            ApplicationFailure.class,
            f -> {
              assertThat(f.isNonRetryable()).isTrue();
              assertThat(f.getType()).isEqualTo("InvalidRun");
            })
        .hasMessageContaining(
            "ArkEvent " + namespace + "/nightly: the API server rejected ArkRun blog-fire-1")
        .hasMessageContaining("spec.input: missing required input \"topic\"");
    assertThat(kubectl("get", "arkrun", "blog-fire-1", "--ignore-not-found", "-o", "name").output())
        .isBlank();
  }

  /** The part of a problem's message that names the rule, without the "what to do" hint. */
  static String ruleText(Problem problem) {
    String message = problem.message();
    int hint = message.indexOf("; ");
    return hint < 0 ? message : message.substring(0, hint);
  }

  private static Manifest manifestOf(LoadResult loaded, Problem problem) {
    return loaded.manifests().stream()
        .filter(m -> m.object().equals(problem.object()))
        .findFirst()
        .orElse(null);
  }

  /**
   * Waits until the API server calls the webhook: a team whose output template uses an unknown
   * function (a rule only the webhook checks: CEL cannot parse templates) is refused with the
   * webhook's message on a server-side dry run.
   */
  private static void awaitWebhookActive() throws Exception {
    Path probe = Files.createTempFile("ark-admission-probe", ".yaml");
    Files.writeString(
        probe,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: probe
        spec:
          roles:
            - name: writer
              model: llama3.2
          pipeline:
            - role: writer
          output: "{{ .steps.writer.output | shout }}"
        """);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      Kubectl dryRun = kubectl("apply", "--dry-run=server", "-f", probe.toString());
      last = dryRun.output();
      if (dryRun.exitCode() != 0
          && last.contains("spec.output: template line 1, column 27: function \"shout\"")) {
        return;
      }
      Thread.sleep(300);
    }
    fail("the API server does not call the admission webhook after 30 s: " + last);
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  record Kubectl(int exitCode, String output) {}

  private static Kubectl kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(System.getenv().getOrDefault("KUBECTL", "kubectl"));
    command.add("--kubeconfig");
    command.add(kubeconfig.toString());
    command.add("--namespace");
    command.add(namespace);
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish in 60 s");
    }
    return new Kubectl(process.exitValue(), new String(out, StandardCharsets.UTF_8));
  }
}
