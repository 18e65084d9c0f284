package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
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

  private static TestCluster cluster;
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
    temporalAddress = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporalAddress == null || temporalAddress.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server");
    }
    cluster = TestCluster.open("ark-dev-it");
    kubeconfig = cluster.kubeconfig;
    kube = cluster.kube;
    namespace = cluster.namespace;
    work = cluster.work;
    service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporalAddress).build(),
            Duration.ofSeconds(10));
    temporal =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());

    Path folder = Files.createDirectories(work.resolve("manifests"));
    Files.writeString(folder.resolve("echo.yaml"), echoTeam("{{ .trigger.body.message }}"));
    devOut = work.resolve("ark-dev.out");
    dev =
        new ProcessBuilder(
                TestCluster.java(),
                "-Xmx384m",
                "-jar",
                TestCluster.jar().toString(),
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
                "--port",
                "0",
                "--webhook-port",
                "0",
                "--dashboard-port",
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
        cluster.kubectl("delete", "arkruns,arkevents", "--all", "--timeout=60s");
      }
    }
    if (dev != null) {
      dev.destroy();
      if (!dev.waitFor(40, TimeUnit.SECONDS)) {
        dev.destroyForcibly();
      }
    }
    if (cluster != null) {
      cluster.close();
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
    assertThat(cluster.kubectl("get", "arkteam", "echo", "-o", "name").out())
        .isEqualTo("arkteam.arkonis.dev/echo");
  }

  @Test
  @Order(2)
  void kubectlAppliesTheExamplesAndPrintsTheColumns() throws Exception {
    TestCluster.Kubectl apply =
        cluster.kubectl("apply", "-f", Cli.repoRoot().resolve("examples").toString());
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
              String teams = cluster.kubectl("get", "arkteam").out();
              assertThat(header(teams))
                  .containsExactly("NAME", "PHASE", "ENTRY", "LAST", "RUN", "AGE");
              assertThat(teams).containsPattern("(?m)^research-team\\s+Ready\\s+coordinator\\s");
              assertThat(teams).containsPattern("(?m)^blog-pipeline\\s+Ready\\s");
              String agents = cluster.kubectl("get", "arkagent").out();
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
    TestCluster.Kubectl create = cluster.kubectl("create", "-f", run.toString());
    assertThat(create.exit()).as(create.err()).isZero();

    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(
            () ->
                cluster
                    .kubectl("get", "arkrun", "research-1", "-o", "jsonpath={.status.phase}")
                    .out(),
            phase -> phase.equals("Succeeded") || phase.equals("Failed"));
    String runs = cluster.kubectl("get", "arkrun").out();
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
                assertThat(cluster.kubectl("get", "arkteam", "research-team").out())
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
      assertThat(cluster.kubectl("create", "-f", run.toString()).exit()).isZero();
      await().atMost(Duration.ofSeconds(60)).until(() -> phases.contains("Running"));

      TestCluster.Kubectl delete = cluster.kubectl("delete", "arkrun", "blog-1", "--timeout=60s");

      assertThat(delete.exit()).as(delete.err()).isZero();
      assertThat(cluster.ok("get", "arkrun", "blog-1", "--ignore-not-found", "-o", "name"))
          .isEmpty();
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
                cluster
                    .kubectl(
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
                    cluster
                        .kubectl("get", "secret", "echo-hook-token", "-o", "jsonpath={.data.token}")
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
    assertThat(cluster.kubectl("get", "arkrun", run, "-o", "jsonpath={.status.phase}").out())
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
    TestCluster.Kubectl apply = cluster.kubectl("apply", "-f", cycle.toString());
    assertThat(apply.exit()).isNotZero();
    assertThat(apply.err()).contains("dependency cycle: a → c → b → a");
    assertThat(
            cluster.kubectl("get", "arkteam", "cyclic", "--ignore-not-found", "-o", "name").out())
        .isEmpty();
  }

  @Test
  @Order(6)
  void logsNoErrors() throws Exception {
    assertThat(devLog()).doesNotContainPattern("(?m)^ERROR ");
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
}
