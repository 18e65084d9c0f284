package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Base64;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ark dev DIR}: try teams and their triggers on a laptop, with the operator's code. */
@Command(
    name = "dev",
    description = {
      "Run a folder of manifests like a cluster would, on this machine.",
      "Cron events fire on an in-process Temporal, webhooks listen on localhost, runs are",
      "executed by the operator's code; edits to the folder are applied as you save."
    })
final class DevCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "DIR")
  Path dir;

  @Option(names = "--webhook-port", defaultValue = "8081")
  int webhookPort;

  @Option(names = "--provider", defaultValue = "auto")
  String provider;

  @Option(names = "--mock-latency", paramLabel = "DURATION")
  String mockLatency;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try (DevRuntime dev =
            new DevRuntime(dir, webhookPort, provider, RunCommand.parseDuration(mockLatency));
        WatchService watcher = FileSystems.getDefault().newWatchService()) {
      dev.client()
          .resources(ArkRun.class)
          .inAnyNamespace()
          .watch(new RunPrinter(out, dev.client()));
      awaitEventsSetUp(dev);
      for (ArkEvent event :
          dev.client().resources(ArkEvent.class).inAnyNamespace().list().getItems()) {
        describe(out, dev, event);
      }
      out.println("ark dev: watching " + dir + " (Ctrl-C to stop)");
      out.flush();
      dir.register(
          watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      while (true) {
        WatchKey key = watcher.poll(1, TimeUnit.SECONDS);
        if (key == null) {
          continue;
        }
        key.pollEvents();
        key.reset();
        try {
          dev.reapply(dir);
          out.println("ark dev: applied " + dir);
        } catch (UserError e) {
          out.println("ark dev: not applied: " + e.getMessage());
        }
        out.flush();
      }
    }
  }

  /** Waits (up to 10 s) until the operator created the token of every webhook event. */
  private static void awaitEventsSetUp(DevRuntime dev) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      boolean ready = true;
      for (ArkEvent event :
          dev.client().resources(ArkEvent.class).inAnyNamespace().list().getItems()) {
        JsonNode tree =
            dev.client().getKubernetesSerialization().convertValue(event, JsonNode.class);
        if (tree.path("spec").path("source").path("type").asText().equals("webhook")
            && dev.client()
                    .secrets()
                    .inNamespace(event.getMetadata().getNamespace())
                    .withName(event.getMetadata().getName() + "-token")
                    .get()
                == null) {
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
  private static final class RunPrinter implements Watcher<ArkRun> {
    private final PrintWriter out;
    private final io.fabric8.kubernetes.client.KubernetesClient client;
    private final java.util.Map<String, String> lastPhase =
        new java.util.concurrent.ConcurrentHashMap<>();

    RunPrinter(PrintWriter out, io.fabric8.kubernetes.client.KubernetesClient client) {
      this.out = out;
      this.client = client;
    }

    @Override
    public void eventReceived(Action action, ArkRun run) {
      JsonNode status =
          client.getKubernetesSerialization().convertValue(run, JsonNode.class).path("status");
      String phase = status.path("phase").asText("");
      if (phase.isEmpty() || phase.equals(lastPhase.put(run.getMetadata().getName(), phase))) {
        return;
      }
      String line = "run " + run.getMetadata().getName() + ": " + phase;
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

    @Override
    public void onClose(WatcherException cause) {}
  }
}
