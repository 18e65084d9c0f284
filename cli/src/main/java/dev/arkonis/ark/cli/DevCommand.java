package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.workflows.run.Phases;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ark dev [DIR] [--kubeconfig FILE]}: the operator's code on this machine, against an
 * in-process Kubernetes API or a real cluster's.
 */
@Command(
    name = "dev",
    description = {
      "Run the operator and agent workers on this machine, like a cluster would.",
      "Without --kubeconfig against an in-process Kubernetes API; with it against a real",
      "cluster's API (CRDs installed when missing). Cron events fire on Temporal, webhooks listen",
      "on localhost, runs are executed by the operator's code; a folder's manifests are applied",
      "at start and again as you save."
    })
final class DevCommand implements Callable<Integer> {
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "DIR",
      description = "Folder of manifests to apply (and re-apply on save).")
  Path dir;

  @Option(
      names = "--kubeconfig",
      paramLabel = "FILE",
      description = "Run against this cluster's API instead of an in-process one.")
  Path kubeconfig;

  @Option(
      names = {"-n", "--namespace"},
      description =
          "Namespace to watch with --kubeconfig (default: the kubeconfig context's namespace).")
  String namespace;

  @Option(
      names = "--temporal-address",
      paramLabel = "HOST:PORT",
      description = "A Temporal server (default: an in-process one).")
  String temporalAddress;

  @Option(names = "--temporal-namespace", defaultValue = "default")
  String temporalNamespace;

  @Option(
      names = "--agent-image",
      defaultValue = "${env:ARK_IMAGE:-ark:0.1.0}",
      description = "Image of the agent Deployments created with --kubeconfig.")
  String agentImage;

  @Option(names = "--webhook-port", defaultValue = "8081")
  int webhookPort;

  @Option(
      names = "--port",
      defaultValue = "8082",
      description = "Health and metrics port: /healthz, /readyz, /metrics (0 = any free).")
  int port;

  @Option(names = "--provider", defaultValue = "auto")
  String provider;

  @Option(names = "--mock-latency", paramLabel = "DURATION")
  String mockLatency;

  @Option(
      names = "--mock-script",
      paramLabel = "FILE",
      description =
          "Scripted mock replies per role or ArkAgent (YAML); implies --provider mock. See"
              + " docs/testing.md.")
  Path mockScript;

  @Mixin DashboardOptions dashboard;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Consumer<String> say =
        line -> {
          synchronized (out) {
            out.println("ark dev: " + line);
            out.flush();
          }
        };
    MockScript script = MockScripts.load(mockScript);
    DevRuntime.Options options =
        new DevRuntime.Options(
            dir,
            kubeconfig,
            blankToNull(namespace),
            blankToNull(temporalAddress),
            temporalNamespace,
            webhookPort,
            MockScripts.provider(provider, script),
            RunCommand.parseDuration(mockLatency),
            kubeconfig == null ? "ark:dev" : agentImage,
            script);
    try (DevRuntime dev = new DevRuntime(options, say);
        HealthServer health = new HealthServer(port, () -> null);
        DashboardOptions.Running board =
            dashboard.start(
                dev.client(),
                dev.temporalClient(),
                temporalNamespace,
                dev.watchNamespace(),
                8080,
                "127.0.0.1",
                dev.workerLog());
        WatchService watcher = FileSystems.getDefault().newWatchService()) {
      if (board != null) {
        say.accept(
            "dashboard on "
                + board.url()
                + (dashboard.actions ? " (actions enabled)" : " (read-only)"));
      }
      // an informer (list, then watch from its resourceVersion): a watch without one asks a real
      // API server for a watch-list stream, which etcd without progress notify refuses
      runs(dev).inform(new RunPrinter(out, dev.client()));
      awaitEventsSetUp(dev);
      for (ArkEvent event : events(dev)) {
        describe(out, dev, event);
      }
      say.accept(
          (dir == null ? "running" : "watching " + dir)
              + (dev.watchNamespace() == null ? "" : " in namespace " + dev.watchNamespace())
              + ", webhooks on :"
              + dev.webhookPort()
              + ", metrics on :"
              + health.port()
              + "/metrics (Ctrl-C to stop)");
      if (dir != null) {
        dir.register(
            watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      }
      while (true) {
        WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        if (key == null) {
          continue;
        }
        key.pollEvents();
        key.reset();
        try {
          dev.reapply(dir);
          say.accept("applied " + dir);
        } catch (UserError e) {
          say.accept("not applied: " + e.getMessage());
        }
      }
    }
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static FilterWatchListDeletable<ArkRun, ?, ?> runs(DevRuntime dev) {
    var runs = dev.client().resources(ArkRun.class);
    return dev.watchNamespace() == null
        ? runs.inAnyNamespace()
        : runs.inNamespace(dev.watchNamespace());
  }

  private static List<ArkEvent> events(DevRuntime dev) {
    var events = dev.client().resources(ArkEvent.class);
    return (dev.watchNamespace() == null
            ? events.inAnyNamespace()
            : events.inNamespace(dev.watchNamespace()))
        .list()
        .getItems();
  }

  /**
   * Waits (up to 10 s) until the operator created the token of every webhook event and the webhook
   * server sees it.
   */
  private static void awaitEventsSetUp(DevRuntime dev) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean ready = true;
      for (ArkEvent event : events(dev)) {
        JsonNode tree =
            dev.client().getKubernetesSerialization().convertValue(event, JsonNode.class);
        if (tree.path("spec").path("source").path("type").asText().equals("webhook")
            && !dev.webhookServes(
                event.getMetadata().getNamespace(), event.getMetadata().getName())) {
          ready = false;
        }
      }
      if (ready) {
        return;
      }
      Thread.sleep(100);
    }
  }

  private static void describe(PrintWriter out, DevRuntime dev, ArkEvent event) {
    JsonNode tree = dev.client().getKubernetesSerialization().convertValue(event, JsonNode.class);
    String ns = event.getMetadata().getNamespace();
    String name = event.getMetadata().getName();
    String type = tree.path("spec").path("source").path("type").asText();
    if (type.equals("webhook")) {
      var secret = dev.client().secrets().inNamespace(ns).withName(name + "-token").get();
      String token =
          secret == null || secret.getData() == null
              ? "(not created yet)"
              : new String(
                  Base64.getDecoder().decode(secret.getData().get("token")),
                  StandardCharsets.UTF_8);
      out.println(
          "event "
              + name
              + ": curl -X POST http://localhost:"
              + dev.webhookPort()
              + "/triggers/"
              + ns
              + "/"
              + name
              + " -H 'Authorization: Bearer "
              + token
              + "' -H 'Content-Type: application/json' -d '{...}'");
    } else {
      out.println(
          "event "
              + name
              + ": "
              + type
              + " "
              + tree.path("spec").path("source").path("cron").asText(""));
    }
  }

  /** Prints run transitions as they happen. */
  private static final class RunPrinter implements ResourceEventHandler<ArkRun> {
    private final PrintWriter out;
    private final io.fabric8.kubernetes.client.KubernetesClient client;
    private final java.util.Map<String, String> lastPhase =
        new java.util.concurrent.ConcurrentHashMap<>();

    RunPrinter(PrintWriter out, io.fabric8.kubernetes.client.KubernetesClient client) {
      this.out = out;
      this.client = client;
    }

    @Override
    public void onAdd(ArkRun run) {
      print(run);
    }

    @Override
    public void onUpdate(ArkRun old, ArkRun run) {
      print(run);
    }

    @Override
    public void onDelete(ArkRun run, boolean unknownFinalState) {}

    private void print(ArkRun run) {
      JsonNode status =
          client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
      String phase = status.path("phase").asText("");
      if (phase.isEmpty() || phase.equals(lastPhase.put(run.getMetadata().getName(), phase))) {
        return;
      }
      String line = "run " + run.getMetadata().getName() + ": " + phase;
      JsonNode tokens = status.path("totalTokenUsage");
      if (Phases.terminal(phase) && tokens.has("totalTokens")) {
        line +=
            " (tokens "
                + tokens.path("totalTokens").asLong()
                + ": input "
                + tokens.path("inputTokens").asLong()
                + ", output "
                + tokens.path("outputTokens").asLong()
                + ")";
      }
      if (phase.equals("Succeeded")) {
        line += " — " + firstLine(status.path("output").asText(""));
      } else if (status.hasNonNull("message")) {
        line += " — " + status.path("message").asText();
      }
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    }

    private static String firstLine(String text) {
      String first = text.strip().lines().findFirst().orElse("");
      return first.length() > 120 ? first.substring(0, 120) + "…" : first;
    }
  }
}
