package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * {@code ark dev --kubeconfig} against a real kube-apiserver (scripts/cluster: RBAC, Pod Security,
 * OwnerReferencesPermissionEnforcement; kwok makes pods Ready), run as a user runs it: the built
 * jar in its own process, the mock model, a Temporal dev server. The real {@code kubectl} applies
 * the examples, creates and deletes runs, and prints the printer columns.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevKubeconfigIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Path kubeconfig;
  private static String temporalAddress;
  private static KubernetesClient kube;
  private static String namespace;
  private static Path work;
  private static Process dev;
  private static Path devOut;
  private static WorkflowServiceStubs service;
  private static WorkflowClient temporal;

  @BeforeAll
  static void startArkDev() throws Exception {
    String configured = System.getenv("ARK_TEST_KUBECONFIG");
    if (configured == null || configured.isBlank()) {
      fail(
          "ARK_TEST_KUBECONFIG is not set: run the tests with scripts/test (or start a cluster with"
              + " 'scripts/cluster up' and export ARK_TEST_KUBECONFIG=<the path it prints>)");
    }
    temporalAddress = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporalAddress == null || temporalAddress.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server");
    }
    kubeconfig = Path.of(configured);
    kube = ClusterAccess.open(kubeconfig);
    namespace = "ark-dev-it-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    kube.namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress).build(),
            Duration.ofSeconds(10));
    temporal =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());

    work = Files.createTempDirectory("ark-dev-it");
    Path folder = Files.createDirectories(work.resolve("manifests"));
    Files.writeString(folder.resolve("echo.yaml"), echoTeam("{{ .trigger.body.message }}"));
    devOut = work.resolve("ark-dev.out");
    dev =
        new ProcessBuilder(
                java(),
                "-Xmx384m",
                "-jar",
                jar().toString(),
                "dev",
                folder.toString(),
                "--kubeconfig",
                kubeconfig.toString(),
                "-n",
                namespace,
                "--temporal-address",
                temporalAddress,
                "--provider",
                "mock",
                "--mock-latency",
                "1s",
                "--webhook-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(devOut.toFile())
            .start();
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!dev.isAlive()) {
                fail("ark dev exited with " + dev.exitValue() + ":\n" + devLog());
              }
              return devLog().contains("(Ctrl-C to stop)");
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (kube != null && namespace != null) {
      if (dev != null && dev.isAlive()) {
        // while ark dev runs, so the run and event finalizers are let go
        kubectl("delete", "arkruns,arkevents", "--all", "--timeout=60s");
      }
    }
    if (dev != null) {
      dev.destroy();
      if (!dev.waitFor(40, TimeUnit.SECONDS)) {
        dev.destroyForcibly();
      }
    }
    if (kube != null && namespace != null) {
      kube.namespaces().withName(namespace).delete();
      kube.close();
    }
    if (service != null) {
      service.shutdownNow();
    }
  }

  @Test
  @Order(1)
  void installsTheCrdsAndAppliesTheFolder() throws Exception {
    for (String kind : CrdCatalog.PLURALS.keySet()) {
      String name = CrdCatalog.PLURALS.get(kind) + ".arkonis.dev";
      CustomResourceDefinition crd =
          kube.apiextensions().v1().customResourceDefinitions().withName(name).get();
      assertThat(crd).as(name).isNotNull();
      assertThat(crd.getMetadata().getAnnotations())
          .containsEntry(CrdInstaller.HASH_ANNOTATION, CrdInstaller.sha256(shipped(kind)));
      assertThat(crd.getStatus().getConditions())
          .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
    }
    assertThat(devLog()).contains("namespace " + namespace);
    // the folder was applied (server-side apply) into the watched namespace
    assertThat(kubectl("get", "arkteam", "echo", "-o", "name").out())
        .isEqualTo("arkteam.arkonis.dev/echo");
  }

  @Test
  @Order(2)
  void kubectlAppliesTheExamplesAndPrintsTheColumns() throws Exception {
    Kubectl apply = kubectl("apply", "-f", Cli.repoRoot().resolve("examples").toString());
    assertThat(apply.exit()).as(apply.err()).isZero();
    assertThat(apply.out())
        .contains(
            "arkteam.arkonis.dev/blog-pipeline created",
            "arkteam.arkonis.dev/research-team created",
            "arkagent.arkonis.dev/research-agent created");

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .untilAsserted(
            () -> {
              String teams = kubectl("get", "arkteam").out();
              assertThat(header(teams))
                  .containsExactly("NAME", "PHASE", "ENTRY", "LAST", "RUN", "AGE");
              assertThat(teams).containsPattern("(?m)^research-team\\s+Ready\\s+coordinator\\s");
              assertThat(teams).containsPattern("(?m)^blog-pipeline\\s+Ready\\s");
              String agents = kubectl("get", "arkagent").out();
              assertThat(header(agents))
                  .containsExactly("NAME", "MODEL", "REPLICAS", "READY", "AGE");
              // READY equals REPLICAS: the operator's Deployment got 5 Ready pods
              assertThat(agents).containsPattern("(?m)^research-agent\\s+llama3\\.2\\s+5\\s+5\\s");
              assertThat(agents)
                  .containsPattern("(?m)^research-team-writer\\s+llama3\\.2:1b\\s+1\\s+1\\s");
            });
    // agents that appeared after ark dev started got an in-process worker
    assertThat(devLog())
        .contains(
            "agent worker on ark/" + namespace + "/research-team-coordinator",
            "agent worker on ark/" + namespace + "/research-agent");
  }

  @Test
  @Order(3)
  void aRunCreatedWithKubectlSucceeds() throws Exception {
    Path run = work.resolve("run.yaml");
    Files.writeString(
        run,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: research-1
        spec:
          teamRef:
            name: research-team
          input:
            task: "Write a short note about Kubernetes operators"
        """);
    Kubectl create = kubectl("create", "-f", run.toString());
    assertThat(create.exit()).as(create.err()).isZero();

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () -> kubectl("get", "arkrun", "research-1", "-o", "jsonpath={.status.phase}").out(),
            phase -> phase.equals("Succeeded") || phase.equals("Failed"));
    String runs = kubectl("get", "arkrun").out();
    assertThat(header(runs)).containsExactly("NAME", "TEAM", "PHASE", "TOKENS", "AGE");
    Matcher row =
        Pattern.compile("(?m)^research-1\\s+research-team\\s+(\\S+)\\s+(\\d+)\\s").matcher(runs);
    assertThat(row.find()).as(runs).isTrue();
    assertThat(row.group(1)).isEqualTo("Succeeded");
    assertThat(Long.parseLong(row.group(2))).isPositive();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(kubectl("get", "arkteam", "research-team").out())
                    .containsPattern(
                        "(?m)^research-team\\s+Ready\\s+coordinator\\s+research-1\\s"));
    assertThat(devLog()).contains("run research-1: Succeeded");
  }

  @Test
  @Order(4)
  void deletingARunningRunCancelsItsWorkflow() throws Exception {
    Path run = work.resolve("blog.yaml");
    Files.writeString(
        run,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: blog-1
        spec:
          teamRef:
            name: blog-pipeline
          input:
            topic: "operators"
        """);
    Set<String> phases = ConcurrentHashMap.newKeySet();
    try (SharedIndexInformer<ArkRun> informer =
        kube.resources(ArkRun.class)
            .inNamespace(namespace)
            .withName("blog-1")
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(ArkRun r) {
                    phases.add(phase(r));
                  }

                  @Override
                  public void onUpdate(ArkRun old, ArkRun r) {
                    phases.add(phase(r));
                  }

                  @Override
                  public void onDelete(ArkRun r, boolean unknown) {
                    phases.add(phase(r));
                  }
                })) {
      assertThat(kubectl("create", "-f", run.toString()).exit()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> phases.contains("Running"));

      Kubectl delete = kubectl("delete", "arkrun", "blog-1", "--timeout=60s");

      assertThat(delete.exit()).as(delete.err()).isZero();
      assertThat(ok("get", "arkrun", "blog-1", "--ignore-not-found", "-o", "name")).isEmpty();
      assertThat(phases).contains("Cancelled").doesNotContain("Succeeded");
    }
    WorkflowExecutionStatus status =
        temporal.newUntypedWorkflowStub("arkrun/" + namespace + "/blog-1").describe().getStatus();
    assertThat(status).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
  }

  @Test
  @Order(5)
  void theFolderIsAppliedAgainOnSaveAndItsWebhookFiresARun() throws Exception {
    Files.writeString(
        work.resolve("manifests/echo.yaml"), echoTeam("edited: {{ .trigger.body.message }}"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                kubectl(
                        "get",
                        "arkevent",
                        "echo-hook",
                        "-o",
                        "jsonpath={.spec.targets[0].input.message}")
                    .out()
                    .startsWith("edited:"));
    String token =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    kubectl("get", "secret", "echo-hook-token", "-o", "jsonpath={.data.token}")
                        .out(),
                t -> !t.isEmpty());
    Matcher port = Pattern.compile("webhooks on :(\\d+)").matcher(devLog());
    assertThat(port.find()).isTrue();

    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://localhost:"
                                + port.group(1)
                                + "/triggers/"
                                + namespace
                                + "/echo-hook?mode=sync&timeout=60s"))
                    .header(
                        "Authorization",
                        "Bearer "
                            + new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"message\": \"ping\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    JsonNode body = JSON.readTree(answer.body());
    assertThat(body.path("output").asText()).contains("edited: ping");
    String run = body.path("runs").path(0).asText();
    assertThat(kubectl("get", "arkrun", run, "-o", "jsonpath={.status.phase}").out())
        .isEqualTo("Succeeded");
  }

  /**
   * ark dev registers its admission webhook for the watched namespace: a mistake no CEL rule can
   * see (a dependency cycle) is refused by {@code kubectl apply} with ark validate's words.
   */
  @Test
  @Order(5)
  void kubectlApplyOfATeamArkValidateRejectsIsRefused() throws Exception {
    assertThat(devLog()).contains("admission webhook https://127.0.0.1:");
    Path cycle = Cli.repoRoot().resolve("cli/src/test/resources/invalid/cycle.yaml");
    Kubectl apply = kubectl("apply", "-f", cycle.toString());
    assertThat(apply.exit()).isNotZero();
    assertThat(apply.err()).contains("dependency cycle: a → c → b → a");
    assertThat(kubectl("get", "arkteam", "cyclic", "--ignore-not-found", "-o", "name").out())
        .isEmpty();
  }

  @Test
  @Order(6)
  void logsNoErrors() throws Exception {
    assertThat(devLog()).doesNotContainPattern("(?m)^ERROR ");
  }

  @Test
  @Order(7)
  void aUserWithoutTheOperatorsRbacGetsOneLineAndExitCode2() throws Exception {
    kube.serviceAccounts()
        .inNamespace(namespace)
        .resource(
            new ServiceAccountBuilder()
                .withNewMetadata()
                .withName("no-rights")
                .endMetadata()
                .build())
        .create();
    Kubectl token = kubectl("create", "token", "no-rights");
    assertThat(token.exit()).as(token.err()).isZero();
    Path limited = work.resolve("limited.kubeconfig");
    Files.writeString(
        limited,
        Files.readString(kubeconfig)
            .replaceAll("(?m)^(\\s*token:).*$", "$1 " + token.out().strip()));

    Run denied = runJar("dev", "--kubeconfig", limited.toString(), "-n", namespace);

    assertThat(denied.exit()).as(denied.output()).isEqualTo(2);
    assertThat(denied.output().strip().lines()).hasSize(1);
    assertThat(denied.output())
        .startsWith("error: the kubeconfig's user may not ")
        .contains("arkteams", "in namespace " + namespace, "deploy/rbac/contract.txt");
  }

  @Test
  @Order(8)
  void anUnreachableClusterOrAMissingNamespaceIsOneLineAndExitCode2() throws Exception {
    Path unreachable = work.resolve("unreachable.kubeconfig");
    Files.writeString(
        unreachable,
        Files.readString(kubeconfig)
            .replaceAll("https://127\\.0\\.0\\.1:\\d+", "https://127.0.0.1:1"));
    Run refused = runJar("dev", "--kubeconfig", unreachable.toString());
    assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
    assertThat(refused.output().strip().lines()).hasSize(1);
    assertThat(refused.output())
        .startsWith("error: cannot reach the Kubernetes API at https://127.0.0.1:1");

    Run missing = runJar("dev", "--kubeconfig", kubeconfig.toString(), "-n", namespace + "-none");
    assertThat(missing.exit()).as(missing.output()).isEqualTo(2);
    assertThat(missing.output().strip())
        .isEqualTo(
            "error: namespace "
                + namespace
                + "-none not found: create it with 'kubectl create namespace "
                + namespace
                + "-none' or choose another with -n");
  }

  @Test
  @Order(9)
  void aManifestTheApiServerRefusesIsOneLineAndExitCode2() throws Exception {
    Path folder = Files.createDirectories(work.resolve("refused"));
    Files.writeString(
        folder.resolve("a-settings.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkSettings
        metadata:
          name: house-style
        spec:
          temperature: "0.2"
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: house-prompts
        data:
          writer: "Write clearly."
        """);
    // applied after a-settings.yaml: the files go in name order
    Path file =
        Files.writeString(
            folder.resolve("z-prompts.yaml"),
            """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkSettings
            metadata:
              name: other-style
            spec:
              temperature: "0.5"
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: Team_Prompts
            data:
              writer: "Write clearly."
            """);

    Run refused =
        runJar(
            "dev",
            folder.toString(),
            "--kubeconfig",
            kubeconfig.toString(),
            "-n",
            namespace,
            "--temporal-address",
            temporalAddress,
            "--webhook-port",
            "0");

    assertThat(refused.exit()).as(refused.output()).isEqualTo(2);
    String error =
        refused.output().lines().filter(l -> l.startsWith("error: ")).findFirst().orElseThrow();
    assertThat(error)
        .startsWith("error: " + file + ": ConfigMap/Team_Prompts was not applied: ")
        .contains("metadata.name: Invalid value");
    assertThat(refused.output()).doesNotContainPattern("(?m)^\\s+at ");
    // nothing of the folder was applied (a server-side dry run of every object comes first)
    assertThat(
            ok(
                "get",
                "arksettings/house-style",
                "configmap/house-prompts",
                "--ignore-not-found",
                "-o",
                "name"))
        .isEmpty();
  }

  private static String echoTeam(String template) {
    return """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: echo
        spec:
          inputs:
            - name: message
              type: string
              required: true
          roles:
            - name: echo
              model: mock-model
          pipeline:
            - role: echo
              inputs:
                prompt: "{{ .input.message }}"
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkEvent
        metadata:
          name: echo-hook
        spec:
          source:
            type: webhook
          targets:
            - team: echo
              input:
                message: "%s"
        """
        .formatted(template);
  }

  private static String phase(ArkRun run) {
    JsonNode status =
        kube.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
    return status.path("phase").asText("");
  }

  private static List<String> header(String table) {
    return List.of(table.lines().findFirst().orElse("").trim().split("\\s+"));
  }

  private static String shipped(String kind) throws IOException {
    try (InputStream in =
        DevKubeconfigIT.class.getClassLoader().getResourceAsStream(CrdCatalog.resource(kind))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String devLog() throws IOException {
    return Files.readString(devOut);
  }

  private static Path jar() {
    Path jar = Cli.repoRoot().resolve("cli/target/ark.jar");
    if (!Files.isRegularFile(jar)) {
      fail(jar + " is missing: the integration tests run after 'package' (mvn verify)");
    }
    return jar;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  record Kubectl(int exit, String out, String err) {}

  record Run(int exit, String output) {}

  /** {@link #kubectl} that must succeed; its output. */
  private static String ok(String... args) throws IOException, InterruptedException {
    Kubectl result = kubectl(args);
    assertThat(result.exit()).as("kubectl %s: %s", String.join(" ", args), result.err()).isZero();
    return result.out();
  }

  /** The real kubectl, in the test namespace. */
  private static Kubectl kubectl(String... args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(List.of("kubectl", "--kubeconfig", kubeconfig.toString(), "-n", namespace));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "kubectl", ".out");
    Path err = Files.createTempFile(work, "kubectl", ".err");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("kubectl " + String.join(" ", args) + " did not finish in 90 s");
    }
    return new Kubectl(p.exitValue(), Files.readString(out).strip(), Files.readString(err).strip());
  }

  private static Run runJar(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(java(), "-Xmx256m", "-jar", jar().toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(work, "ark", ".out");
    Process p =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    if (!p.waitFor(90, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("ark " + String.join(" ", args) + " did not finish in 90 s:\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }
}
