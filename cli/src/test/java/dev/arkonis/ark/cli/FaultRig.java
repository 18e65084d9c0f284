package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The real parts the fault suite runs on, shared by its tests: a namespace on the rig's API server,
 * a Temporal dev server process of its own (so it can be killed and restarted on its SQLite file),
 * the {@link ModelFixture}, {@code ark operator} and {@code ark agent} as separate processes of the
 * built jar (so they can be killed with SIGKILL), and a three-step team whose agent's system prompt
 * comes from a Secret. Every run's checks land in {@link #results}.
 */
final class FaultRig implements AutoCloseable {
  static final List<String> STEPS = List.of("outline", "draft", "polish");
  static final Set<String> FINAL = Set.of("Succeeded", "Failed", "TimedOut", "Cancelled");

  /** The agent's {@code limits.timeoutSeconds}: its calls' HTTP and start-to-close limit. */
  static final int CALL_TIMEOUT_SECONDS = 10;

  private static final ObjectMapper JSON = new ObjectMapper();

  final String apiKey = "sk-fault-" + UUID.randomUUID();
  final String secretPrompt = "You are the scribe. Codeword " + UUID.randomUUID() + ".";
  final String webhookAuthorization = "Bearer hook-" + UUID.randomUUID();
  final NotifyReceiver notify;
  final TestCluster cluster;
  final TemporalDevServer temporal;
  final ModelFixture model;
  final Path logs;
  private final WorkflowServiceStubs stubs;
  final WorkflowClient client;
  private Process operator;
  private Process agent;
  private int operators;
  private int agents;

  /** One row of the results table. */
  record Result(String fault, int runs, String phases, int duplicateSteps, int lostRuns) {}

  final List<Result> results = new ArrayList<>();

  FaultRig() throws Exception {
    cluster = TestCluster.open("ark-faults");
    logs = Files.createDirectories(Cli.repoRoot().resolve("cli/target/fault-suite"));
    try (var old = Files.list(logs)) {
      for (Path f : old.toList()) {
        Files.delete(f);
      }
    }
    temporal = TemporalDevServer.start(cluster.work);
    notify = new NotifyReceiver(webhookAuthorization);
    model = new ModelFixture(apiKey, Duration.ofSeconds(CALL_TIMEOUT_SECONDS));
    stubs =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.address()).build(),
            Duration.ofSeconds(10));
    client =
        WorkflowClient.newInstance(
            stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    CrdCatalog.install(cluster.kube);
    Path team = cluster.work.resolve("team.yaml");
    Files.writeString(
        team,
        """
        apiVersion: v1
        kind: Secret
        metadata:
          name: scribe-prompt
        stringData:
          prompt: "%s"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: alerts-hook
        stringData:
          url: "%s"
        ---
        apiVersion: v1
        kind: Secret
        metadata:
          name: alerts-headers
        stringData:
          Authorization: "%s"
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkNotify
        metadata:
          name: alerts
        spec:
          channel:
            type: webhook
            webhook:
              urlSecretRef: {name: alerts-hook, key: url}
              headersSecretRef: {name: alerts-headers}
          events:
            - type: TeamSucceeded
            - type: TeamFailed
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata:
          name: scribe
        spec:
          model: fixture-model
          provider: openai
          systemPromptRef:
            secretKeyRef: {name: scribe-prompt, key: prompt}
          limits: {timeoutSeconds: %d}
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: chain
        spec:
          notifyRef: {name: alerts}
          inputs:
            - name: tag
              required: true
          roles:
            - name: outline
              arkAgent: scribe
            - name: draft
              arkAgent: scribe
            - name: polish
              arkAgent: scribe
          pipeline:
            - role: outline
              inputs: {prompt: "[{{ .input.tag }}/outline] Outline a note."}
            - role: draft
              dependsOn: [outline]
              inputs: {prompt: "[{{ .input.tag }}/draft] Expand: {{ .steps.outline.output }}"}
            - role: polish
              dependsOn: [draft]
              inputs: {prompt: "[{{ .input.tag }}/polish] Polish: {{ .steps.draft.output }}"}
          output: "{{ .steps.polish.output }}"
        """
            .formatted(secretPrompt, notify.url(), webhookAuthorization, CALL_TIMEOUT_SECONDS));
    cluster.ok("apply", "-f", team.toString());
    startAgent();
    startOperator();
    // one untimed run first: the processes' first model call pays their warm-up
    String warmUp = "warm-up-" + Long.toString(System.nanoTime() % 1_000_000L, 36);
    createRun(warmUp);
    assertThat(awaitFinal(warmUp, Duration.ofSeconds(120))).as("the warm-up run").isNotNull();
  }

  // --- processes -------------------------------------------------------------------------------

  void startOperator() throws Exception {
    Path log = logs.resolve("operator-" + ++operators + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                TestCluster.java(),
                "-Xmx384m",
                "-jar",
                TestCluster.jar().toString(),
                "operator",
                "-n",
                cluster.namespace,
                "--temporal-address",
                temporal.address(),
                "--port",
                "0",
                "--webhook-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("KUBECONFIG", cluster.kubeconfig.toString());
    operator = started(builder, log, "ark operator: Temporal");
  }

  void startAgent() throws Exception {
    Path log = logs.resolve("agent-" + ++agents + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                TestCluster.java(),
                "-Xmx256m",
                "-jar",
                TestCluster.jar().toString(),
                "agent",
                "--task-queue",
                "ark/" + cluster.namespace + "/scribe",
                "--temporal-address",
                temporal.address(),
                "--port",
                "0",
                "--config-dir",
                cluster.work.resolve("no-config").toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("OPENAI_BASE_URL", model.baseUrl());
    builder.environment().put("OPENAI_API_KEY", apiKey);
    // as the agent's Deployment gets it (env from the Secret)
    builder.environment().put("ARK_SYSTEM_PROMPT", secretPrompt);
    builder.environment().put("ARK_SYSTEM_PROMPT_REF", cluster.namespace + "/scribe-prompt/prompt");
    agent = started(builder, log, "ark agent: polling");
  }

  /** SIGKILL (Process#destroyForcibly on Linux) to the agent process. */
  void killAgent() throws InterruptedException {
    agent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /** SIGKILL to the operator process. */
  void killOperator() throws InterruptedException {
    operator.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * Freezes the rig's kube-apiserver (SIGSTOP to the process {@code scripts/cluster} started: it
   * keeps its connections but answers nothing) for {@code duration}, then lets it go on (SIGCONT).
   */
  void freezeApiServer(Duration duration) throws Exception {
    Path pidFile = cluster.kubeconfig.getParent().resolve("kube-apiserver.pid");
    if (!Files.exists(pidFile)) {
      fail("no " + pidFile + ": the fault suite needs the rig of scripts/cluster (scripts/test)");
    }
    String pid = Files.readString(pidFile).trim();
    signal("STOP", pid);
    try {
      Thread.sleep(duration.toMillis());
    } finally {
      signal("CONT", pid);
    }
  }

  private static void signal(String signal, String pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, pid).inheritIO().start();
    assertThat(kill.waitFor()).as("kill -" + signal + " " + pid).isZero();
  }

  private static Process started(ProcessBuilder builder, Path log, String readyLine)
      throws Exception {
    Process process = builder.start();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              if (!process.isAlive()) {
                fail("exited with " + process.exitValue() + ":\n" + Files.readString(log));
              }
              return Files.readString(log).contains(readyLine);
            });
    return process;
  }

  // --- runs ------------------------------------------------------------------------------------

  /** Creates ArkRun {@code name} of the team, tagged with its own name. */
  void createRun(String name) throws Exception {
    Path file = cluster.work.resolve(name + ".yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: %s
        spec:
          teamRef: {name: chain}
          input: {tag: %s}
        """
            .formatted(name, name));
    cluster.ok("create", "-f", file.toString());
  }

  JsonNode status(String run) throws Exception {
    TestCluster.Kubectl get = cluster.kubectl("get", "arkrun", run, "-o", "json");
    return get.exit() == 0 ? JSON.readTree(get.out()).path("status") : JSON.createObjectNode();
  }

  /** Waits for a final phase; null when the run did not reach one in time (a lost run). */
  String awaitFinal(String run, Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> status(run).path("phase").asText(""), FINAL::contains);
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return null;
    }
  }

  /**
   * Waits for every run to end and checks it: its expected final phase, every succeeded step
   * answered by the model exactly once, one workflow execution. Records the row and asserts.
   */
  void check(String fault, Map<String, String> expected, Duration timeout) throws Exception {
    Map<String, String> phases = new LinkedHashMap<>();
    int lost = 0;
    int duplicates = 0;
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> e : expected.entrySet()) {
      String run = e.getKey();
      String phase = awaitFinal(run, timeout);
      if (phase == null) {
        lost++;
        problems.add(run + " never ended: " + status(run));
        continue;
      }
      phases.merge(phase, "1", (a, b) -> String.valueOf(Integer.parseInt(a) + 1));
      if (!phase.equals(e.getValue())) {
        problems.add(run + " ended " + phase + ", expected " + e.getValue() + ": " + status(run));
      }
      JsonNode status = status(run);
      for (JsonNode step : status.path("steps")) {
        String name = step.path("name").asText();
        if (step.path("phase").asText().equals("Succeeded") && model.answers(run, name) != 1) {
          duplicates++;
          problems.add(run + " step " + name + " answered " + model.answers(run, name) + "×");
        }
      }
      List<String> executions = executions(status.path("workflowId").asText());
      if (executions.size() != 1) {
        problems.add(run + " has " + executions.size() + " workflow executions: " + executions);
      }
    }
    results.add(
        new Result(
            fault,
            expected.size(),
            phases.entrySet().stream()
                .map(p -> p.getValue() + " " + p.getKey())
                .collect(Collectors.joining(", ")),
            duplicates,
            lost));
    assertThat(problems).as(fault).isEmpty();
  }

  /** The run ids of the executions of a workflow id (visibility can lag: waits for one). */
  List<String> executions(String workflowId) {
    if (workflowId.isEmpty()) {
      return List.of();
    }
    try {
      return await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () ->
                  client
                      .listExecutions("WorkflowId = '" + workflowId + "'")
                      .map(WorkflowExecutionMetadata::getWorkflowExecutionInfo)
                      .map(WorkflowExecutionInfo::getExecution)
                      .map(x -> x.getRunId())
                      .toList(),
              ids -> !ids.isEmpty());
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return List.of();
    }
  }

  /** Every workflow history of the suite's dev server by workflow id, serialized (payloads raw). */
  Map<String, String> histories() {
    Map<String, String> all = new LinkedHashMap<>();
    client
        .listExecutions("")
        .forEach(
            m -> {
              var execution = m.getWorkflowExecutionInfo().getExecution();
              all.put(
                  execution.getWorkflowId() + " " + execution.getRunId(),
                  client
                      .fetchHistory(execution.getWorkflowId(), execution.getRunId())
                      .getHistory()
                      .toByteString()
                      .toStringUtf8());
            });
    return all;
  }

  /** The suite's process logs. */
  Map<Path, String> logs() throws IOException {
    Map<Path, String> all = new LinkedHashMap<>();
    try (var files = Files.list(logs)) {
      for (Path f : files.toList()) {
        all.put(f, Files.readString(f));
      }
    }
    all.put(temporal.log(), Files.readString(temporal.log()));
    return all;
  }

  @Override
  public void close() throws Exception {
    try {
      if (operator != null && operator.isAlive()) {
        cluster.kubectl(
            "delete", "arkruns,arkteams,arkagents,arknotifies", "--all", "--timeout=60s");
      }
    } finally {
      if (operator != null) {
        operator.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      if (agent != null) {
        agent.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      stubs.shutdownNow();
      model.close();
      notify.close();
      temporal.close();
      cluster.close();
    }
  }
}
