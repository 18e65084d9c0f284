package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import io.temporal.worker.Worker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ark agent}: an agent replica. Polls the agent's task queue and runs its {@code chat} and
 * tool activities; serves {@code /healthz} and {@code /readyz}. With a semantic liveness probe
 * ({@code livenessProbe.json} in the config directory) it asks the model the validator prompt every
 * interval; a failing replica stops polling until the check passes again.
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

  @Override
  public Integer call() throws Exception {
    Map<String, String> env = System.getenv();
    ModelFactory models =
        new ModelFactory(
            env,
            null,
            MockChatModel.Options.DEFAULT.withLatency(RunCommand.parseDuration(mockLatency)));
    AtomicReference<String> notReady = new AtomicReference<>();
    CountDownLatch stop = new CountDownLatch(1);
    try (TemporalConnection temporal =
            TemporalConnection.connect(temporalAddress, temporalNamespace);
        ToolActivitiesImpl tools = new ToolActivitiesImpl(env);
        HealthServer health = new HealthServer(port, notReady::get)) {
      AgentActivitiesImpl chat =
          new AgentActivitiesImpl(models, LocalBudgetReports.dailyBudgets(temporal.client()));
      List<Worker> workers = new java.util.ArrayList<>();
      int slots = maxConcurrentTasks(configDir);
      for (String queue : taskQueues) {
        Worker worker = temporal.newAgentWorker(queue, slots);
        worker.registerActivitiesImplementations(chat, tools);
        workers.add(worker);
      }
      temporal.start();
      ScheduledExecutorService probe = startProbe(chat, workers, notReady);
      Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
      System.err.println(
          "ark agent: polling "
              + String.join(", ", taskQueues)
              + " ("
              + slots
              + " concurrent tasks) on "
              + temporalAddress
              + ", health on :"
              + health.port());
      stop.await();
      if (probe != null) {
        probe.shutdownNow();
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

  /** The semantic probe, when the agent's config asks for one. */
  private ScheduledExecutorService startProbe(
      AgentActivitiesImpl chat, List<Worker> workers, AtomicReference<String> notReady)
      throws IOException {
    Path probeFile = configDir.resolve("livenessProbe.json");
    if (!Files.exists(probeFile)) {
      return null;
    }
    JsonNode probe = JSON.readTree(probeFile.toFile());
    if (!"semantic".equals(probe.path("type").asText())) {
      return null;
    }
    String validator =
        probe
            .path("validatorPrompt")
            .asText("Is 2 + 2 equal to 4? Reply with exactly one word: VALID or INVALID.");
    AgentSpec agent =
        new AgentSpec(
            "probe",
            taskQueues.get(0),
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
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    int interval = Math.max(5, probe.path("intervalSeconds").asInt(30));
    scheduler.scheduleWithFixedDelay(
        () -> {
          String problem = semanticCheck(chat, agent, validator);
          notReady.set(problem);
          for (Worker worker : workers) {
            if (problem == null && worker.isSuspended()) {
              worker.resumePolling();
            } else if (problem != null && !worker.isSuspended()) {
              worker.suspendPolling();
            }
          }
        },
        0,
        interval,
        TimeUnit.SECONDS);
    return scheduler;
  }

  static String semanticCheck(AgentActivitiesImpl chat, AgentSpec agent, String validator) {
    try {
      String answer =
          chat.chat(
                  new ChatRequest(
                      "validate",
                      "readyz",
                      agent,
                      List.of(ChatMessage.user(validator)),
                      null,
                      List.of()))
              .text();
      return dev.arkonis.ark.workflows.run.Verdicts.passes(
              answer, dev.arkonis.ark.workflows.run.Verdicts.PROBE)
          ? null
          : "semantic check failed: the model answered \"" + answer + "\"";
    } catch (RuntimeException e) {
      return "semantic check failed: " + e.getMessage();
    }
  }

  /** The prompt from the ConfigMap, or from a Secret mounted as env (secretKeyRef prompts). */
  private String systemPrompt() {
    String prompt = read("systemPrompt");
    return prompt.isEmpty() ? System.getenv().getOrDefault("ARK_SYSTEM_PROMPT", "") : prompt;
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
