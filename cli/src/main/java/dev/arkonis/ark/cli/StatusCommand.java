package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ark status}: the teams and runs of a namespace, as kubectl would list them. */
@Command(name = "status", description = "List teams and runs in the cluster.")
final class StatusCommand implements Callable<Integer> {
  @Option(names = {"-n", "--namespace"})
  String namespace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (KubernetesClient client = Kube.client()) {
      String ns = Kube.namespace(client, namespace);
      List<String[]> teams = new ArrayList<>();
      teams.add(new String[] {"TEAM", "PHASE", "ENTRY", "LAST RUN"});
      for (ArkTeam team : client.resources(ArkTeam.class).inNamespace(ns).list().getItems()) {
        JsonNode t = tree(client, team);
        teams.add(
            new String[] {
              team.getMetadata().getName(),
              t.path("status").path("phase").asText("-"),
              t.path("spec").path("entry").asText("-"),
              t.path("status").path("lastRun").path("name").asText("-")
            });
      }
      List<String[]> runs = new ArrayList<>();
      runs.add(new String[] {"RUN", "TEAM", "PHASE", "TOKENS", "STARTED"});
      List<ArkRun> items =
          new ArrayList<>(client.resources(ArkRun.class).inNamespace(ns).list().getItems());
      items.sort(
          Comparator.comparing(
                  (HasMetadata r) -> r.getMetadata().getCreationTimestamp(),
                  Comparator.nullsFirst(Comparator.naturalOrder()))
              .reversed());
      for (ArkRun run : items) {
        JsonNode r = tree(client, run);
        runs.add(
            new String[] {
              run.getMetadata().getName(),
              r.path("spec").path("teamRef").path("name").asText(),
              r.path("status").path("phase").asText("Pending"),
              String.format(
                  Locale.ROOT,
                  "%,d",
                  r.path("status").path("totalTokenUsage").path("totalTokens").asLong()),
              r.path("status").path("startTime").asText("-")
            });
      }
      out.println("Namespace " + ns);
      print(out, teams);
      out.println();
      print(out, runs);
      out.flush();
      return 0;
    }
  }

  private static JsonNode tree(KubernetesClient client, Object object) {
    return client.getKubernetesSerialization().convertValue(object, JsonNode.class);
  }

  static void print(PrintWriter out, List<String[]> rows) {
    int[] widths = new int[rows.get(0).length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        line.append(String.format(Locale.ROOT, "%-" + (widths[i] + 2) + "s", row[i]));
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
