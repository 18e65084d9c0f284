package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.workflows.api.AgentHealthActivities;
import dev.arkonis.ark.workflows.api.AgentHealthActivities.HealthChange;
import dev.arkonis.ark.workflows.api.AgentHealthWorkflow;
import dev.arkonis.ark.workflows.api.NotifyActivities;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import java.io.File;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ark agent} with a semantic liveness probe, as a process: the probe from its config
 * directory decides {@code /readyz}, and its results reach the agent's AgentHealth workflow under
 * the replica's pod name.
 */
@Timeout(180)
class AgentProbeTest {
  @TempDir Path configDir;

  private TestServer.PortBoundTestServer server;
  private WorkflowServiceStubs stubs;
  private WorkerFactory orchestrator;
  private Process agent;
  private final List<HealthChange> changes = new CopyOnWriteArrayList<>();

  /** Records what the workflow writes; the notifications go nowhere. */
  final class Recorder implements AgentHealthActivities, NotifyActivities {
    @Override
    public void writeHealth(HealthChange change) {
      changes.add(change);
    }

    @Override
    public void notify(Notification notification) {}
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.destroyForcibly().waitFor();
    }
    if (orchestrator != null) {
      orchestrator.shutdownNow();
    }
    if (stubs != null) {
      stubs.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private String startTemporal() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    server = TestServer.createPortBoundServer(port); // real time: no skipping to the expiry timer
    String address = "127.0.0.1:" + port;
    stubs =
        WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build());
    orchestrator = WorkerFactory.newInstance(WorkflowClient.newInstance(stubs));
    Worker worker = orchestrator.newWorker(TeamRunWorkflow.TASK_QUEUE);
    worker.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    worker.registerActivitiesImplementations(new Recorder());
    orchestrator.start();
    return address;
  }

  /** Starts {@code ark agent} for agent {@code writer} in namespace {@code ns}; its health port. */
  private int startAgent(String address, String probeJson) throws Exception {
    Files.writeString(configDir.resolve("model"), "probe-model");
    Files.writeString(configDir.resolve("provider"), "mock");
    Files.writeString(configDir.resolve("livenessProbe.json"), probeJson);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.arkonis.ark.cli.Main");
    command.addAll(
        List.of(
            "agent",
            "--task-queue",
            "ark/ns/writer",
            "--temporal-address",
            address,
            "--port",
            "0",
            "--config-dir",
            configDir.toString()));
    File log = configDir.resolve("agent.log").toFile();
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.redirectOutput(log);
    builder.environment().put("HOSTNAME", "writer-7d9f-abcde");
    agent = builder.start();
    Pattern port = Pattern.compile("health on :(\\d+)");
    return await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              Matcher m = port.matcher(Files.readString(log.toPath()));
              return m.find() ? Integer.parseInt(m.group(1)) : -1;
            },
            p -> p > 0);
  }

  private static HttpResponse<String> readyz(int port) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void anUpstreamHealthyPromptPassesWithTheDefaultExpectedAnswer() throws Exception {
    int port =
        startAgent(
            startTemporal(),
            "{\"type\":\"semantic\",\"intervalSeconds\":1,"
                + "\"validatorPrompt\":\"Are you working? Reply with exactly one word: HEALTHY\"}");
    await().atMost(Duration.ofSeconds(60)).until(() -> readyz(port).statusCode() == 200);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !changes.isEmpty() && !changes.get(0).degraded());
    assertThat(changes.get(0).agent()).isEqualTo("writer");
    assertThat(changes.get(0).namespace()).isEqualTo("ns");
    AgentHealthWorkflow.State state =
        WorkflowClient.newInstance(stubs)
            .newWorkflowStub(
                AgentHealthWorkflow.class, AgentHealthWorkflow.workflowId("ns", "writer"))
            .health();
    assertThat(state.replicas())
        .extracting(AgentHealthWorkflow.Replica::replica)
        .containsExactly("writer-7d9f-abcde");
  }

  @Test
  void aProbeTheModelDoesNotPassAnswers503AndDegradesTheAgent() throws Exception {
    // the mock echoes a prompt it has no rule for; the expected word is set: VALID is no pass
    int port =
        startAgent(
            startTemporal(),
            "{\"type\":\"semantic\",\"intervalSeconds\":1,"
                + "\"validatorPrompt\":\"Is 2 + 2 equal to 4? Reply VALID or INVALID.\","
                + "\"expectedAnswer\":\"YES\"}");
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              HttpResponse<String> response = readyz(port);
              assertThat(response.statusCode()).isEqualTo(503);
              assertThat(response.body())
                  .contains("semantic probe failed: the model answered \"VALID\"");
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> !changes.isEmpty() && changes.get(0).degraded());
    assertThat(changes.get(0).message())
        .isEqualTo("1 of 1 replica failing the semantic probe; last answer: \"VALID\"");
  }
}
