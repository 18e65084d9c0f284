package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.health.HealthReports;
import dev.arkonis.ark.activities.health.SemanticProbe;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.llm.PromptSecrets;
import dev.arkonis.ark.activities.memory.MemoryActivitiesImpl;
import dev.arkonis.ark.activities.memory.MemorySecrets;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.workflows.api.AgentSpec;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ark agent}: an agent replica. Polls the agent's task queue and runs its {@code chat} and
 * tool activities; serves {@code /healthz} and {@code /readyz}. With a semantic liveness probe
 * ({@code livenessProbe.json} in the config directory) it runs a {@link SemanticProbe}: a failing
 * replica answers {@code /readyz} 503 and takes no tasks until the check passes again.
 */
@Command(name = "agent", description = "Run an agent replica (worker for one agent's task queue).")
final class AgentCommand implements java.util.concurrent.Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--task-queue",
      required = true,
      description = "ark/<namespace>/<agent>; repeat it to serve several agents from one process.")
  List<String> taskQueues;

  @Option(names = "--temporal-address", defaultValue = "127.0.0.1:7233")
  String temporalAddress;

  @Option(names = "--temporal-namespace", defaultValue = "default")
  String temporalNamespace;

  @Option(names = "--port", defaultValue = "8080", description = "Health port (0 = any free).")
  int port;

  @Option(
      names = "--config-dir",
      defaultValue = "/etc/ark/agent",
      description = "The agent's generated ConfigMap (model, provider, systemPrompt, ...).")
  Path configDir;

  @Option(names = "--mock-latency", description = "Mock model answer delay (tests).")
  String mockLatency;

  @Option(
      names = "--mock-script",
      paramLabel = "FILE",
      defaultValue = "${env:" + MockScripts.ENV + "}",
      description =
          "Scripted mock replies per role or ArkAgent (YAML; default: env "
              + MockScripts.ENV
              + "); the mock provider answers every call.")
  Path mockScript;

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    MockScript script = MockScripts.load(mockScript);
    ModelFactory models =
        new ModelFactory(
            env,
            script == null ? null : ModelFactory.MOCK,
            MockChatModel.Options.DEFAULT.withLatency(RunCommand.parseDuration(mockLatency)),
            script);
    SemanticProbe.Settings probeSettings = probeSettings();
    AtomicReference<SemanticProbe> probe = new AtomicReference<>();
    CountDownLatch stop = new CountDownLatch(1);
    try (TemporalConnection temporal =
            TemporalConnection.connect(temporalAddress, temporalNamespace);
        ToolActivitiesImpl tools = new ToolActivitiesImpl(env);
        HealthServer health =
            new HealthServer(port, () -> probe.get() == null ? null : probe.get().notReady())) {
      AgentActivitiesImpl chat =
          new AgentActivitiesImpl(models, LocalBudgetReports.dailyBudgets(temporal.client()))
              .withPromptSecrets(PromptSecrets.fromEnvironment(env));
      MemoryActivitiesImpl memory =
          new MemoryActivitiesImpl(
              MemorySecrets.fromEnvironment(env), MemoryActivitiesImpl.defaultDir(env));
      List<Worker> workers = new java.util.ArrayList<>();
      int slots = maxConcurrentTasks(configDir);
      for (String queue : taskQueues) {
        workers.add(temporal.newAgentWorker(queue, slots));
      }
      SemanticProbe semantic =
          probeSettings == null
              ? null
              : new SemanticProbe(
                  chat,
                  probeAgent(),
                  probeSettings,
                  workers,
                  new HealthReports(
                      temporal.client(),
                      taskQueues,
                      HealthReports.replicaId(),
                      probeSettings.intervalSeconds()));
      for (Worker worker : workers) {
        worker.registerActivitiesImplementations(
            semantic == null ? chat : semantic.gate(chat), tools, memory);
      }
      probe.set(semantic); // not ready until the first check passes
      temporal.start();
      if (semantic != null) {
        semantic.start();
      }
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      System.err.println(
          "ark agent: polling "
              + String.join(", ", taskQueues)
              + " ("
              + slots
              + " concurrent tasks) on "
              + temporalAddress
              + ", health on :"
              + health.port()
              + (semantic == null
                  ? ""
                  : ", semantic probe every " + probeSettings.intervalSeconds() + " s"));
      stop.await();
      if (semantic != null) {
        semantic.close();
      }
    }
    return 0;
  }

  /**
   * {@code limits.maxConcurrentTasks} from the agent's config ({@code limits.json}, written by the
   * operator from the ArkAgent's {@code spec.limits}); the default when it is not there.
   */
  static int maxConcurrentTasks(Path configDir) throws IOException {
    Path limits = configDir.resolve("limits.json");
    if (!Files.exists(limits)) {
      return AgentWorkerOptions.DEFAULT_MAX_CONCURRENT_TASKS;
    }
    return AgentWorkerOptions.slots(JSON.readTree(limits.toFile()));
  }

  /** The semantic probe's settings from the agent's config, or null for none (or a ping probe). */
  private SemanticProbe.Settings probeSettings() throws IOException {
    Path probeFile = configDir.resolve("livenessProbe.json");
    return Files.exists(probeFile)
        ? SemanticProbe.Settings.of(JSON.readTree(probeFile.toFile()))
        : null;
  }

  /** The agent as the probe asks it: its model, provider and system prompt. */
  private AgentSpec probeAgent() {
    return new AgentSpec(
        "probe",
        taskQueues.get(0).substring(taskQueues.get(0).lastIndexOf('/') + 1),
        taskQueues.get(0),
        read("model"),
        read("provider"),
        systemPrompt(),
        0,
        30,
        null,
        false,
        List.of(),
        List.of(),
        List.of());
  }

  /** The prompt from the ConfigMap, or from a Secret mounted as env (secretKeyRef prompts). */
  private String systemPrompt() {
    String prompt = read("systemPrompt");
    return prompt.isEmpty() ? System.getenv().getOrDefault(PromptSecrets.ENV, "") : prompt;
  }

  private String read(String key) {
    try {
      Path file = configDir.resolve(key);
      return Files.exists(file) ? Files.readString(file).trim() : "";
    } catch (IOException e) {
      return "";
    }
  }
}
