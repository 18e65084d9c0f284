package dev.arkonis.ark.cli;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.spec.InputResolver;
import dev.arkonis.ark.activities.spec.SpecException;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ark trigger TEAM}: creates an ArkRun in the cluster; the operator runs it. */
@Command(
    name = "trigger",
    description = "Start a run of a team in the cluster (creates an ArkRun).")
final class TriggerCommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TypeReference<Map<String, Object>> INPUT_MAP = new TypeReference<>() {};

  @Parameters(index = "0", paramLabel = "TEAM")
  String team;

  @Option(names = {"-n", "--namespace"})
  String namespace;

  @Option(
      names = "--input",
      paramLabel = "KEY=VALUE|JSON",
      description =
          "A run input as key=value (a string), or several as a JSON object; repeatable, the forms"
              + " mix, a key given twice is an error.")
  List<String> input = new ArrayList<>();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    JsonNode inputs = JSON.valueToTree(RunInputs.parse(input));
    try (KubernetesClient client = Kube.client()) {
      String ns = Kube.namespace(client, namespace);
      ArkTeam found = client.resources(ArkTeam.class).inNamespace(ns).withName(team).get();
      if (found == null) {
        throw new UserError("ArkTeam " + team + " not found in namespace " + ns);
      }
      checkInputs(client.getKubernetesSerialization().convertValue(found, JsonNode.class), inputs);
      Map<String, Object> run =
          Map.of(
              "apiVersion",
              "arkonis.dev/v1alpha1",
              "kind",
              "ArkRun",
              "metadata",
              Map.of(
                  "name",
                  RunNames.generate(team),
                  "namespace",
                  ns,
                  "labels",
                  Map.of("arkonis.dev/team", team)),
              "spec",
              Map.of(
                  "teamRef", Map.of("name", team),
                  "input", inputs,
                  "triggeredBy", Map.of("kind", "User", "name", "ark-cli")));
      ArkRun created =
          client
              .resources(ArkRun.class)
              .inNamespace(ns)
              .resource(client.getKubernetesSerialization().convertValue(run, ArkRun.class))
              .create();
      spec.commandLine()
          .getOut()
          .println("arkrun.arkonis.dev/" + created.getMetadata().getName() + " created");
      spec.commandLine().getOut().flush();
      return 0;
    } catch (KubernetesClientException e) {
      throw new UserError("the API server refused the ArkRun: " + e.getMessage());
    }
  }

  /** The inputs a run of the team would be rejected for, checked before anything is created. */
  private void checkInputs(JsonNode team, JsonNode inputs) {
    try {
      InputResolver.resolve(team.path("spec"), JSON.convertValue(inputs, INPUT_MAP));
    } catch (SpecException e) {
      throw new UserError("ArkTeam/" + this.team + ": " + e.getMessage());
    }
  }
}
